/** Reports of the command line: charts. */
package dev.flinkgru.tools.report;
