/** widget.js must stay within this many bytes gzipped (printed by the build, checked by npm run bench:widget). */
export const WIDGET_BUDGET_GZIP = 35 * 1024;
