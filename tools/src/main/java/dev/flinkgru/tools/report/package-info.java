/**
 * The command line's charts, drawn with JFreeChart and written as SVG (JFreeSVG) or PNG: the house
 * style ({@link dev.flinkgru.tools.report.Charts}), tick labels in human units ({@link
 * dev.flinkgru.tools.report.HumanNumberFormat}) and a log axis with fixed ticks ({@link
 * dev.flinkgru.tools.report.FixedTicksLogAxis}). It imports no command package.
 */
package dev.flinkgru.tools.report;
