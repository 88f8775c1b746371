/**
 * Loads every feature's org settings section (core/org-settings.ts addSettingsSection), so a
 * process validates and reads the whole settings document whichever features it runs. Imported
 * first by the CLI (cli/main.ts) and the test harness.
 */
import '../rules/settings.ts';
import '../ai/settings.ts';
