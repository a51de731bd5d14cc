// The command palette's shortcuts (Components/Layout/CommandPalette.razor): Ctrl+K or Cmd+K anywhere, and "/" unless the
// person is typing in a field. MudBlazor's key interceptor watches the elements inside one element, never the document,
// so the console ships this one module (loaded by Blazor's import: the Content-Security-Policy allows 'self' scripts only).
export function listen(palette) {
    const typing = target => target instanceof HTMLElement
        && (target.isContentEditable || target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT');
    const onKeyDown = event => {
        const ctrlK = (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === 'k';
        const slash = event.key === '/' && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(event.target);
        if (ctrlK || slash) {
            event.preventDefault(); // Ctrl+K is the browser's search bar, "/" its quick find
            palette.invokeMethodAsync('Open');
        }
    };
    document.addEventListener('keydown', onKeyDown);
    return { stop: () => document.removeEventListener('keydown', onKeyDown) };
}

