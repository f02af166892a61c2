package io.dnnvis.cli;

/** A problem with what the user asked for (option values, output paths): exit code 2, one line. */
final class UserException extends RuntimeException {

    UserException(String message) {
        super(message);
    }
}
