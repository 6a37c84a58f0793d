/** Internals of the GRU operator: its buffer and metrics. Not API. */
package dev.flinkgru.operator.internal;
