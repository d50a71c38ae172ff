"""Password-protected archives for files that name people: AES-256 encrypted ZIP, which
common tools (7-Zip, the archive managers of Windows and macOS) open with the password."""

import io

import pyzipper

MIN_PASSWORD = 12


def sealed_zip(members: dict[str, bytes], password: str) -> bytes:
    out = io.BytesIO()
    with pyzipper.AESZipFile(
        out, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(password.encode())
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()
