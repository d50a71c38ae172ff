"""The public form's proof that a person, not a script, is writing — with no third party.

The form carries a question ("What is 4 plus 7?") and a token signed with the secret key
holding the answer, a nonce and when the form was made. A reply is taken only with the right
answer, no sooner than `min_seconds` after the form was made (scripts post at once) and
no later than `max_age`. Each token is taken once (the nonce's digest is unique on the
stored submission), so one solved form cannot be replayed.
"""

import hashlib
import secrets
import time

from django.core import signing

SALT = "haven.feedback.challenge"


class ChallengeFailed(Exception):
    pass


def new_challenge() -> tuple[int, int, str]:
    """Two small numbers and the signed token that knows their sum."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = signing.dumps({"s": a + b, "n": secrets.token_hex(16), "t": time.time()}, salt=SALT)
    return a, b, token


def check(token: str, answer: str, *, min_seconds: float, max_age: int) -> str:
    """The token's one-time digest when the answer is right and in time; else ChallengeFailed."""
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature as exc:  # also raised when expired
        raise ChallengeFailed("expired") from exc
    if time.time() - data["t"] < min_seconds:
        raise ChallengeFailed("too fast")
    try:
        given = int(answer.strip())  # int() reads Arabic-Indic and other digits too
    except ValueError as exc:
        raise ChallengeFailed("not a number") from exc
    if given != data["s"]:
        raise ChallengeFailed("wrong answer")
    return hashlib.sha256(data["n"].encode()).hexdigest()
