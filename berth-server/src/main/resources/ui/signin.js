// Signing in: the header's control (Sign in, or the user's name and Sign out) and the sign-in form, a modal <dialog>
// built when opened and removed when closed. The form asks the registry's token endpoint (session.js); errors are
// shown inside the form, next to the fields, and announced.
import { announce, h, replace } from './dom.js';
import * as session from './session.js';

let control = null;
let dialog = null;
let lastUser = '';

/** Fills the header's control (the element with id "session") and keeps it up to date. */
export function mount(element) {
  control = element;
  session.onChange(() => drawControl());
  drawControl();
}

function drawControl() {
  if (!control) {
    return;
  }
  const signedIn = session.current();
  if (!signedIn) {
    replace(control, h('button', { type: 'button', class: 'signin-button', 'aria-haspopup': 'dialog',
      onclick: () => open() }, 'Sign in'));
    return;
  }
  lastUser = signedIn.user;
  replace(control,
    h('span', { class: 'session-user', title: 'Signed in as ' + signedIn.user },
      h('span', { class: 'avatar', 'aria-hidden': 'true' }, Array.from(signedIn.user)[0] || '?'),
      h('span', { class: 'visually-hidden' }, 'Signed in as '),
      h('span', { class: 'session-name' }, signedIn.user)),
    h('button', { type: 'button', class: 'signout-button', onclick: signOut }, 'Sign out'));
}

function signOut() {
  session.signOut();
  announce('Signed out');
  const button = control && control.querySelector('.signin-button');
  if (button) {
    button.focus();
  }
}

/**
 * Opens the sign-in form; `notice` (optional) says why, e.g. that the session ended. Focus returns to the header's
 * control when the form closes without signing in.
 */
export function open(notice) {
  if (dialog) {
    showNotice(notice);
    return;
  }
  const user = h('input', { id: 'signin-user', name: 'username', autocomplete: 'username', autocapitalize: 'none',
    spellcheck: 'false', required: true, 'aria-describedby': 'signin-error', value: lastUser });
  const password = h('input', { id: 'signin-password', name: 'password', type: 'password',
    autocomplete: 'current-password', required: true, 'aria-describedby': 'signin-error' });
  const error = h('p', { id: 'signin-error', class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const cancel = h('button', { type: 'button', onclick: () => close() }, 'Cancel');
  const form = h('form', { class: 'signin-form', novalidate: true, 'aria-labelledby': 'signin-title' },
    h('h2', { id: 'signin-title' }, 'Sign in to Berth'),
    h('p', { id: 'signin-notice', class: 'signin-notice', role: 'status' }),
    h('p', { class: 'signin-hint', id: 'signin-hint' },
      'With your registry account, or a robot account (robot$name) and its token as the password.'),
    h('div', { class: 'field' }, h('label', { for: 'signin-user' }, 'User name'), user),
    h('div', { class: 'field' }, h('label', { for: 'signin-password' }, 'Password'), password),
    error,
    h('div', { class: 'form-actions' }, cancel, submit));
  dialog = h('dialog', { id: 'signin-dialog', class: 'signin-dialog', 'aria-labelledby': 'signin-title',
    'aria-describedby': 'signin-notice signin-hint' }, form);

  function fail(message, field) {
    error.textContent = message;
    for (const input of [user, password]) {
      if (field === input || field === 'both') {
        input.setAttribute('aria-invalid', 'true');
      } else {
        input.removeAttribute('aria-invalid');
      }
    }
    const target = field === 'both' || !field ? password : field;
    if (target) {
      target.focus();
      target.select();
    }
  }

  form.addEventListener('submit', async event => {
    event.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') {
      return;
    }
    const name = user.value.trim();
    if (!name) {
      fail('Enter your user name.', user);
      return;
    }
    if (name.includes(':')) {
      fail('A user name cannot contain a colon (:).', user);
      return;
    }
    if (!password.value) {
      fail('Enter your password.', password);
      return;
    }
    lastUser = name;
    error.textContent = '';
    form.setAttribute('aria-busy', 'true');
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    try {
      await session.signIn(name, password.value);
      password.value = '';
      close(true);
      announce('Signed in as ' + name);
    } catch (failure) {
      password.value = '';
      fail(failure instanceof session.SignInError ? failure.message : 'Could not sign in: ' + String(failure && failure.message || failure),
        /Wrong user name or password/.test(failure && failure.message) ? 'both' : null);
    } finally {
      form.removeAttribute('aria-busy');
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });
  for (const input of [user, password]) {
    input.addEventListener('input', () => input.removeAttribute('aria-invalid'));
  }
  dialog.addEventListener('close', () => {
    const closing = dialog;
    dialog = null;
    closing.remove();
    if (!closing.dataset.signedIn) {
      const button = control && control.querySelector('button');
      if (button) {
        button.focus();
      }
    }
  });
  dialog.addEventListener('click', event => {
    if (event.target === dialog) {
      close(); // a click on the backdrop
    }
  });

  showNotice(notice);
  document.body.append(dialog);
  dialog.showModal();
  (user.value ? password : user).focus();
}

function showNotice(notice) {
  const element = dialog && dialog.querySelector('#signin-notice');
  if (element) {
    element.textContent = notice || '';
  }
}

/** Closes the form (after signing in, focus is left to the page that renders anew). */
export function close(signedIn = false) {
  if (dialog) {
    if (signedIn) {
      dialog.dataset.signedIn = 'true';
    }
    dialog.close();
  }
}

/** Whether the form is open. */
export function isOpen() {
  return dialog !== null;
}
