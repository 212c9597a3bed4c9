"""`manage.py certificate show|generate|install CERT KEY` — the portal's HTTPS certificate (anemone.tls).

    manage.py certificate show                      # fingerprint, names, valid until, made here or yours
    manage.py certificate generate [--name N ...]   # a new self-made one (browsers ask again)
    manage.py certificate install fullchain.pem privkey.pem    # your own (Let's Encrypt…)

The `https` process reads the files when it starts: restart `make run` (or the service) after a change."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from anemone import tls


class Command(BaseCommand):
    help = "Show, regenerate or install the portal's HTTPS certificate."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["show", "generate", "install"])
        parser.add_argument("files", nargs="*", metavar="FILE", help="install: the certificate (with its chain), the key")
        parser.add_argument("--name", action="append", default=[],
                            help="generate: a host name or address to cover (repeat; default: this machine's)")

    def handle(self, *args, **options) -> None:
        action, files = options["action"], options["files"]
        if action != "install" and files:
            raise CommandError("Only install takes files.")
        if action == "show":
            if not tls.certificate_path().exists():
                raise CommandError("No certificate yet: `make run` makes one, or run `manage.py certificate generate`.")
            current = tls.info()
        elif action == "generate":
            current = tls.generate(options["name"] or None)
        else:
            if len(files) != 2:
                raise CommandError("install takes two files: the certificate (PEM, with its chain) and its key.")
            try:
                certificate, key = (Path(name).read_bytes() for name in files)
            except OSError as error:
                raise CommandError(f"Cannot read {error.filename}: {error.strerror}.") from None
            try:
                current = tls.install(certificate, key)
            except tls.CertificateRefused as error:
                raise CommandError(str(error)) from None
        self.stdout.write(f"fingerprint SHA-256 {current.fingerprint}")
        self.stdout.write(f"names {', '.join(current.names) or current.subject}")
        self.stdout.write(f"valid until {current.not_after:%Y-%m-%d}")
        self.stdout.write("made by this server" if current.self_made else "installed by an admin")
        if action != "show":
            self.stdout.write("Restart the server (make run) for the https process to serve it.")
