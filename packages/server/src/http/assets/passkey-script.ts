// The page script of the passkey pages, served at PATHS.passkeyScript (a fixed file: nothing from a request reaches it),
// running on @simplewebauthn/browser (served at PATHS.webauthnBrowserScript). It reads the ceremony's options from the
// form's data-options attribute, runs navigator.credentials.get() or .create() through the library, puts the answer
// (PublicKeyCredential JSON) in the form's hidden field and submits the form: the server answers like every form,
// with a 303. Without WebAuthn (or without script) the buttons stay hidden and the password form works as before.
// Conditional mediation (WebAuthn Level 3 §5.1.4.1, "passkey autofill") starts at once on the login page when the
// browser supports it; the button runs a modal request, which aborts the pending conditional one.

export const PASSKEY_SCRIPT = `'use strict';
(function () {
  var lib = window.SimpleWebAuthnBrowser;
  var form = document.querySelector('form[data-passkey]');
  var status = document.getElementById('passkey-error');
  if (!form) return;
  if (!lib || !lib.browserSupportsWebAuthn()) {
    // The login page keeps its button hidden; a page whose only way on is a passkey says why nothing happens.
    var visible = document.getElementById('passkey-button');
    if (visible && !visible.hidden && status) {
      status.textContent = 'This browser cannot use passkeys. Use another browser or device, or another way to sign in.';
      status.hidden = false;
    }
    return;
  }
  var kind = form.getAttribute('data-passkey');
  var options = JSON.parse(form.getAttribute('data-options'));
  function report(error) {
    if (!status) return;
    var cancelled = error && (error.name === 'NotAllowedError' || error.name === 'AbortError');
    status.textContent = cancelled ? 'The passkey request was cancelled or timed out. Try again.' : 'This device could not use a passkey: ' + (error && error.message ? error.message : 'unknown error') + '.';
    status.hidden = false;
  }
  function send(answer) {
    form.elements.namedItem('credential').value = JSON.stringify(answer);
    HTMLFormElement.prototype.submit.call(form);
  }
  if (kind === 'register') {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (status) status.hidden = true;
      lib.startRegistration({ optionsJSON: options }).then(send, report);
    });
    return;
  }
  var button = document.getElementById('passkey-button');
  var or = document.getElementById('passkey-or');
  if (button) {
    button.hidden = false;
    if (or) or.hidden = false;
    button.addEventListener('click', function () {
      if (status) status.hidden = true;
      lib.startAuthentication({ optionsJSON: options }).then(send, report);
    });
  }
  if (kind === 'autofill-sign-in') {
    lib.browserSupportsWebAuthnAutofill().then(function (supported) {
      if (!supported) return;
      lib.startAuthentication({ optionsJSON: options, useBrowserAutofill: true }).then(send, function (error) {
        // A modal request (the button) aborts the conditional one: that is not a problem to report.
        if (error && error.name !== 'AbortError' && error.code !== 'ERROR_CEREMONY_ABORTED') report(error);
      });
    });
  }
})();
`;
