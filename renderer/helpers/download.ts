/** Saves text as a file through a temporary blob link (works in browsers and in Electron). */
export function downloadText(filename: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function timestampForFile(now = new Date()): string {
  return now.toISOString().replace(/[:]/g, '-').replace(/\..+$/, '');
}
