"""`haven forms check FILE.xlsx` and `haven forms import FILE.xlsx --agency CODE`, with
`--media FILE.csv …` for the CSV files of choices beside the form."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from haven.accounts.models import Agency
from haven.assessments import actions


class Command(BaseCommand):
    help = "Check an XLSForm (a report only), or publish it as a new version for an agency."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["check", "import"])
        parser.add_argument("file", help="the XLSForm workbook (.xlsx or .xls)")
        parser.add_argument("--agency", help="code of the agency to publish for (import)")
        parser.add_argument(
            "--media",
            nargs="*",
            default=[],
            help="the CSV files of choices the form's select_one_from_file questions read",
        )

    def handle(self, what, file, agency=None, media=(), **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        data = path.read_bytes()
        beside = {}
        for name in media:
            attached = Path(name)
            if not attached.is_file():
                raise CommandError(f"No such file: {attached}")
            beside[attached.name] = attached.read_bytes()
        try:
            form = actions.read_form(data, path.name, beside)
        except actions.FormRefused as exc:
            for problem in exc.problems:
                self.stderr.write(f"{path.name}: {problem}")
            message = f"{len(exc.problems)} problem(s): the form was not published."
            raise CommandError(message) from exc
        if what == "check":
            scores = ", ".join(rule.name for rule in form.scores) or "none"
            self.stdout.write(
                f"{path.name}: OK — '{form.title}' ({form.form_id}), "
                f"{len(form.index())} questions, scores: {scores}"
            )
            return
        if not agency:
            raise CommandError("Name the agency to publish for: --agency CODE")
        owner = Agency.objects.filter(code=agency).first()
        if owner is None:
            raise CommandError(f"No agency with the code '{agency}'.")
        definition = actions.publish_definition(None, data, path.name, agency=owner, media=beside)
        self.stdout.write(
            f"Published '{definition.title}' ({definition.form_id}) version "
            f"{definition.version} for {owner.code}."
        )
