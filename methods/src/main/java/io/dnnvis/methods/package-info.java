/**
 * The visualization methods' entry point ({@link io.dnnvis.methods.Visualizer}) and the backward
 * nets: DeconvNet, SaliNet, DeSaliNet (rule sets over the backward compiler), their requests and
 * results. Occlusion ({@code occlusion}), rendering ({@code render}) and image preprocessing
 * ({@code image}) live in subpackages that do not depend on this one; what they share is in
 * {@code core}.
 */
package io.dnnvis.methods;
