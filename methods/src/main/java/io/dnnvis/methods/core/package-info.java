/**
 * What every package of the methods module shares: the request error, the model's class labels and
 * a position in a layer's map. Depends on no other package of this module, so that the method
 * packages can depend on it without depending on each other.
 */
package io.dnnvis.methods.core;
