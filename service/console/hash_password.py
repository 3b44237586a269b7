"""`python -m service.console.hash_password`: print a console password hash for the TOML file.

The password is read without echo from the terminal, or from the first line of stdin when
it is piped; it is never taken from the command line, where the shell history would keep it.
"""

from __future__ import annotations

import getpass
import sys

from service.console.passwords import hash_password


def main() -> int:
    """Read a password, print its hash for `console_users[].password_hash`."""
    if sys.stdin.isatty():
        password = getpass.getpass("console password: ")
        if getpass.getpass("again: ") != password:
            print("the two passwords differ", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\n")
    if not password:
        print("an empty password is refused", file=sys.stderr)
        return 1
    print(hash_password(password))
    return 0


if __name__ == "__main__":
    sys.exit(main())
