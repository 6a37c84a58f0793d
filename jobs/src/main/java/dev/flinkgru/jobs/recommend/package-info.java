/** The per-user recommendation job: top-K next items, computed on the model's device. */
package dev.flinkgru.jobs.recommend;
