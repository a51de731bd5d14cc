// The browser's side of passkeys on the account pages (served as a file: the CSP allows no inline script).
// A form marked data-passkey="create" or "request" asks the server for WebAuthn options (its data-options address,
// with the form's antiforgery token in a header), runs the browser's passkey prompt, and posts what the
// authenticator answered, as JSON, in the form's credentialJson field. The server (ASP.NET Core Identity) verifies it.
// The form's button stays hidden until this script has run, so without script there is no passkey button.

const supported = typeof PublicKeyCredential === "function"
    && typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function"
    && typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function";

for (const form of document.querySelectorAll("form[data-passkey]")) {
    prepare(form);
}

function prepare(form) {
    const error = form.querySelector("[data-passkey-error]");
    const button = form.querySelector("button[type=submit]");
    if (!supported) {
        show(error, "This browser cannot use passkeys.");
        return;
    }

    form.addEventListener("submit", async event => {
        event.preventDefault();
        show(error, null);
        button.disabled = true;
        try {
            const credential = await askAuthenticator(form);
            form.elements.namedItem("credentialJson").value = JSON.stringify(credential); // PublicKeyCredential.toJSON()
            form.submit();
        } catch (failure) {
            show(error, describe(failure));
            button.disabled = false;
        }
    });
    button.hidden = false;
    form.dataset.ready = "true";
}

async function askAuthenticator(form) {
    const response = await fetch(form.dataset.options, {
        method: "POST",
        headers: { RequestVerificationToken: form.elements.namedItem("__RequestVerificationToken").value },
        redirect: "manual", // a session that ended answers with a redirect to the sign-in page, not with options
    });
    if (!response.ok) {
        throw new Error("the page is out of date. Reload it and try again.");
    }

    const options = await response.json();
    return form.dataset.passkey === "create"
        ? navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) })
        : navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
}

function describe(failure) {
    switch (failure?.name) {
        case "NotAllowedError": // the prompt was closed, or timed out
            return "No passkey was used. Try again when you are ready.";
        case "InvalidStateError": // an excluded credential: this authenticator already holds one for the account
            return "This device already has a passkey for your account.";
        default:
            return `The passkey did not work: ${failure?.message ?? failure}`;
    }
}

function show(element, text) {
    element.textContent = text ?? "";
    element.hidden = !text;
}
