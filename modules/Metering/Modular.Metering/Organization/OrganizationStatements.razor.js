// Hands a file made in the circuit to the browser as a download.
export function saveFile(fileName, contentType, content) {
    const url = URL.createObjectURL(new Blob([content], { type: contentType }));
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    link.click();
    // The download has taken the blob by the next task; the URL is only needed until then.
    setTimeout(() => URL.revokeObjectURL(url));
}
