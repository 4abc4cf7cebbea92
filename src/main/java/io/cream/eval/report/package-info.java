/** The HTML report that puts evaluation runs side by side (charts embedded, tables of numbers). */
package io.cream.eval.report;
