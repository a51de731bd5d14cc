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
            palette.invokeMethodAsync('Open'); // the palette asks for focusField once it has rendered
        }
    };
    document.addEventListener('keydown', onKeyDown);
    return { stop: () => document.removeEventListener('keydown', onKeyDown) };
}

// Focuses the palette's field once it is there and can take focus: MudBlazor's provider renders the dialog after the
// palette's own render, and fades it in. Up to 10 s, for a machine under load; it stops as soon as the field has focus.
export function focusField() {
    let tries = 200;
    const attempt = () => {
        const field = document.querySelector('.command-palette-input input');
        if (field && document.activeElement === field) {
            return;
        }

        field?.focus();
        if (--tries > 0) {
            setTimeout(attempt, 50);
        }
    };
    attempt();
}
