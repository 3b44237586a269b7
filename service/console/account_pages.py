"""HTML of the sign-in form and of the Account page (password change, sign out everywhere)."""

from __future__ import annotations

from service.console.html import Markup, render

_LOGIN = """{error}<form method="post" action="/login" class="login">
<input type="hidden" name="csrf_token" value="{csrf}">
<input type="hidden" name="next" value="{next}">
<label>Institution <input name="institution" required autocomplete="organization"
 value="{institution}"></label>
<label>Username <input name="username" required autocomplete="username"
 value="{username}"></label>
<label>Password <input name="password" type="password" required
 autocomplete="current-password" {focus}></label>
<button type="submit">Sign in</button></form>"""
_ERROR = '<p class="error" role="alert" id="sign-in-error">{message}</p>'
_ACCOUNT = """{notice}<section><h2>Change password</h2>
<form method="post" action="/account/password" class="login">
<input type="hidden" name="csrf_token" value="{csrf}">
<label>Current password <input name="current" type="password" required
 autocomplete="current-password"></label>
<label>New password (at least {min_length} characters) <input name="new" type="password"
 required minlength="{min_length}" autocomplete="new-password"></label>
<label>New password again <input name="again" type="password" required
 minlength="{min_length}" autocomplete="new-password"></label>
<button type="submit">Change password</button></form>
<p>Changing the password signs you out on every other browser.</p></section>
<section><h2>Sign out everywhere</h2>
<p>Ends every session of {actor}, on this browser and any other, for example after a
device was lost.</p>
<form method="post" action="/account/sign-out-everywhere">
<input type="hidden" name="csrf_token" value="{csrf}">
<button type="submit" id="sign-out-everywhere">Sign out everywhere</button></form></section>"""


def login_page(
    *, csrf: str, next_path: str, error: str | None, institution: str = "", username: str = ""
) -> Markup:
    """The sign-in form; after a failure it keeps the institution and username typed."""
    return render(
        _LOGIN,
        error=render(_ERROR, message=error) if error else "",
        csrf=csrf,
        next=next_path,
        institution=institution,
        username=username,
        focus=Markup("autofocus") if username else Markup(""),
    )


def account_page(*, csrf: str, actor: str, min_length: int, notice: str | None) -> Markup:
    """Password change and sign out everywhere."""
    message = render('<p class="message" role="status">{m}</p>', m=notice) if notice else ""
    return render(_ACCOUNT, csrf=csrf, actor=actor, min_length=min_length, notice=message)
