package io.dnnvis.cli;

import io.dnnvis.onnx.UserErrorException;

/**
 * A user error the command line finds itself (option combinations, output paths): like the
 * library's, one line and exit code 2.
 */
final class UserException extends UserErrorException {

    UserException(String message) {
        super(message);
    }
}
