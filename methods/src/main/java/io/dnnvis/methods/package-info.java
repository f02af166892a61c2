/**
 * The visualization methods: DeconvNet, SaliNet, DeSaliNet (rule sets over the backward compiler),
 * occlusion, rendering and image preprocessing.
 */
package io.dnnvis.methods;
