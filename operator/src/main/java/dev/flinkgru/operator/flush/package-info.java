/** When the operator flushes its buffer: the flush policy and the reasons it records. */
package dev.flinkgru.operator.flush;
