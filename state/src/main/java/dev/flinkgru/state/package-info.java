/** Hidden-state types of the GRU operator: the per-key state, its serializer, TTL and policies. */
package dev.flinkgru.state;
