/** Hands the browser a JSON document as a file to save (a copy of personal data). */
export function saveJson(data: unknown, fileName: string): void {
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The file name of a copy of a resident's data exported at `exportedAt`, as the server names it. */
export const residentDataFileName = (exportedAt: string) =>
  `linli-resident-data-${exportedAt.slice(0, 10)}.json`;
