/**
 * A value a source saw and a report must never carry; the label says what kind of thing it is.
 * The sources list them as they read; the privacy guard (report/privacy-guard.ts) looks for each.
 */
export interface SensitiveValue {
  kind: 'host name' | 'user name' | 'email' | 'path' | 'server address' | 'name' | 'address';
  value: string;
}
