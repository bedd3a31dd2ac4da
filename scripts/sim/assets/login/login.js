// The simulated gateway's login page, rendered in the browser like IBKR's JavaScript app:
// nothing usable exists until this script has fetched its settings and built the form. Ids
// and classes are IBKR's; the server's JSON answers drive every step (credentials, second
// factor, push polling) and the page ends by navigating to /sso/Dispatcher, which answers
// `Client login succeeds`. No approve button: a push is answered on the "device" only.
(function () {
  'use strict';

  var root = document.getElementById('xyz-root');
  var query = new URLSearchParams(location.search);
  var state = { challenge: null, method: null, pollMs: 500, pollTimer: null };
  var ui = {};

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === 'text') node.textContent = attrs[name];
      else if (name === 'hidden') node.hidden = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function post(path, body) {
    return fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    }).then(function (res) {
      return res.json().catch(function () { return { status: 'error', message: 'Unexpected answer (HTTP ' + res.status + ')' }; });
    });
  }

  function loading(on) { ui.loading.hidden = !on; }

  function showError(message) {
    ui.errorText.textContent = message;
    ui.error.hidden = false;
  }

  function clearError() {
    ui.error.hidden = true;
    ui.errorText.textContent = '';
  }

  function stopPolling() {
    if (state.pollTimer) clearTimeout(state.pollTimer);
    state.pollTimer = null;
  }

  function backToCredentials() {
    stopPolling();
    state.challenge = null;
    ui.secondFactor.hidden = true;
    ui.silver.hidden = true;
    ui.notification.hidden = true;
    ui.usernameForm.hidden = false;
  }

  function finish(next) {
    stopPolling();
    loading(true);
    location.assign(next);
  }

  // Every answer has a status: authenticated, second-factor, pending or error.
  function handle(answer, from) {
    loading(false);
    if (answer.status === 'authenticated') return finish(answer.next);
    if (answer.status === 'second-factor') return startSecondFactor(answer);
    if (answer.status === 'pending') return schedulePoll();
    showError(answer.message || 'Login failed');
    // A mistyped code may be retried while the prompt is open; anything else starts over.
    if (!(from === 'code' && answer.error === 'bad-code')) backToCredentials();
  }

  function startSecondFactor(answer) {
    state.challenge = answer.challenge;
    ui.usernameForm.hidden = true;
    ui.select.textContent = '';
    (answer.methods || []).forEach(function (m) {
      ui.select.appendChild(el('option', { value: m.id, text: m.label }));
    });
    ui.select.value = answer.method;
    ui.secondFactor.hidden = false;
    showMethod(answer.method, answer.message);
  }

  function showMethod(method, message) {
    state.method = method;
    stopPolling();
    ui.silver.hidden = method !== 'totp';
    ui.notification.hidden = method !== 'push';
    if (method === 'push') {
      ui.notificationText.textContent = message || ui.notificationText.textContent;
      schedulePoll();
    } else {
      ui.code.value = '';
      ui.code.focus();
    }
  }

  function schedulePoll() {
    stopPolling();
    state.pollTimer = setTimeout(function () {
      post('/sso/api/poll', { challenge: state.challenge }).then(function (a) { handle(a, 'poll'); }, function () { schedulePoll(); });
    }, state.pollMs);
  }

  function submitCredentials(event) {
    event.preventDefault();
    clearError();
    var username = ui.username.value.trim();
    if (!username || !ui.password.value) return showError('Please enter your username and password.');
    loading(true);
    post('/sso/api/login', {
      username: username,
      password: ui.password.value,
      mode: ui.paper.checked ? 'paper' : 'live',
      forwardTo: query.get('forwardTo') || '22',
    }).then(function (a) { handle(a, 'login'); }, function () { loading(false); showError('Connection failed. Please try again.'); });
  }

  function submitCode(event) {
    event.preventDefault();
    clearError();
    loading(true);
    post('/sso/api/code', { challenge: state.challenge, code: ui.code.value.trim() })
      .then(function (a) { handle(a, 'code'); }, function () { loading(false); showError('Connection failed. Please try again.'); });
  }

  function render(settings) {
    state.pollMs = settings.pollMs || state.pollMs;
    ui.errorText = el('p', { class: 'xyz-errormessage', role: 'alert' });
    ui.error = el('div', { class: 'xyzblock xyzblock-error', hidden: true }, [ui.errorText]);
    ui.username = el('input', { id: 'xyz-field-username', name: 'username', type: 'text', placeholder: 'Username', class: 'form-control', autocomplete: 'username', autocapitalize: 'off', spellcheck: 'false' });
    ui.password = el('input', { id: 'xyz-field-password', name: 'password', type: 'password', placeholder: 'Password', class: 'form-control', autocomplete: 'current-password' });
    ui.paper = el('input', { id: 'toggle1', type: 'checkbox', class: 'custom-control-input' });
    ui.usernameForm = el('form', { class: 'xyzform-username', novalidate: '' }, [
      el('div', { class: 'form-group' }, [ui.username]),
      el('div', { class: 'form-group' }, [ui.password]),
      el('div', { class: 'custom-control custom-switch' }, [ui.paper, el('label', { for: 'toggle1', class: 'custom-control-label', text: 'Paper Trading' })]),
      el('div', { class: 'xyzblock-username-submit' }, [el('button', { type: 'submit', class: 'btn btn-lg btn-primary', text: 'Login' })]),
    ]);
    ui.select = el('select', { class: 'xyz-multipleselect form-control', name: 'sf_select', 'aria-label': 'Select Second Factor Device' });
    ui.code = el('input', { id: 'xyz-field-silver-response', name: 'silver-response', type: 'text', inputmode: 'numeric', maxlength: '6', autocomplete: 'one-time-code', placeholder: 'Code', class: 'form-control' });
    ui.silver = el('form', { class: 'xyzform-silver', novalidate: '', hidden: true }, [
      el('p', { class: 'xyz-instructions', text: settings.codePrompt }),
      el('div', { class: 'form-group' }, [ui.code]),
      el('div', { class: 'xyzblock-silver-submit' }, [el('button', { type: 'submit', class: 'btn btn-lg btn-primary', text: 'Submit' })]),
    ]);
    ui.notificationText = el('p', { class: 'xyz-instructions' });
    ui.notification = el('div', { class: 'login-step-notification', hidden: true }, [
      el('div', { class: 'xyzblock xyzblock-manualibkey' }, [ui.notificationText]),
    ]);
    ui.secondFactor = el('div', { class: 'xyzblock xyzblock-secondfactor', hidden: true }, [
      el('label', { class: 'xyz-label', text: 'Select Second Factor Device' }), ui.select, ui.silver, ui.notification,
    ]);
    ui.loading = el('div', { class: 'xyzblock xyzblock-loading', hidden: true }, [el('span', { class: 'xyz-spinner', text: 'Please wait…' })]);

    ui.usernameForm.addEventListener('submit', submitCredentials);
    ui.silver.addEventListener('submit', submitCode);
    ui.select.addEventListener('change', function () { showMethod(ui.select.value); });

    root.textContent = '';
    root.appendChild(el('div', { class: 'login xyz-login' }, [
      el('h1', { class: 'xyz-title', text: 'Login' }), ui.error, ui.usernameForm, ui.secondFactor, ui.loading,
    ]));
    ui.username.focus();
  }

  fetch('/sso/api/settings', { cache: 'no-store' })
    .then(function (res) { return res.json(); })
    .then(render, function () { root.textContent = 'The login page could not load. Reload to try again.'; });
})();
