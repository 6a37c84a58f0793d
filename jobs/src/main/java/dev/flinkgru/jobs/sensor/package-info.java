/** The real-time sensor forecasting job. */
package dev.flinkgru.jobs.sensor;
