// Saving what the API answered as a file: the browser's own download, under `name`.

export function saveAs(name: string, blob: Blob) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  // The click has handed the blob to the download by the next turn; keep it a moment longer.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
