/**
 * The comparator: haplotype-aware matching of variant calls against a truth set, with the
 * metrics the product and the benchmark kit report. Plain Node; no external tools.
 */
export type { CompareOptions } from './compare.js';
export { compareVcfFiles, compareParsed, clusterWindows, DEFAULT_CLUSTER_GAP } from './compare.js';
export type { CrossCheckReport, CrossCheckDifference, CrossCheckReason, IsecSite } from './crosscheck.js';
export { crossCheck, parseIsecSites } from './crosscheck.js';
export { formatReportText, markdownMetricRows, MARKDOWN_METRIC_HEADER, formatFraction } from './table.js';
export type { SvCall, SvCompareReport, SvMatchOptions } from './sv.js';
export { compareSvFiles, compareSvCalls, readSvVcf } from './sv.js';
export * from './types.js';
