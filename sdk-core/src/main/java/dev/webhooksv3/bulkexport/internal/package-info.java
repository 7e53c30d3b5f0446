/**
 * Implementation of the SDK: transport layers, JSON mapping, token caching. Not exported from
 * the module; nothing here is API and everything may change.
 */
package dev.webhooksv3.bulkexport.internal;
