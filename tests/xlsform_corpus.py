"""XLSForms written in the styles field teams use — KoboToolbox's form builder exports, ODK's
documentation examples, hand-made humanitarian screening forms — each with the verdict
Haven must give: accepted, or refused with problems that name the unsupported feature.

Written for these tests (pyxform's own example workbooks are not in its PyPI wheel); each
says what it imitates. `.xls` entries are written in the older binary format.
"""

from dataclasses import dataclass, field

ACCEPTED = "accepted"


@dataclass
class CorpusForm:
    file: str
    style: str
    sheets: dict[str, list[list]]
    verdict: str = ACCEPTED
    # For a refusal: words each of which some problem must contain.
    named: list[str] = field(default_factory=list)
    # The CSV files of choices uploaded beside the form, by name.
    media: dict[str, bytes] = field(default_factory=dict)


YES_NO = [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]]
KOBO_SETTINGS = [["form_title", "form_id", "version", "default_language"]]

FORMS = [
    CorpusForm(
        "hello_world.xlsx",
        "ODK's smallest example: a survey sheet alone, named by its file",
        {
            "survey": [
                ["type", "name", "label"],
                ["text", "name", "What is your name?"],
                ["integer", "age", "How old are you?"],
            ]
        },
    ),
    CorpusForm(
        "household_kobo.xlsx",
        "KoboToolbox form builder export: groups, selects, relevance, constraint, two languages",
        {
            "survey": [
                [
                    "type",
                    "name",
                    "label::English (en)",
                    "label::French (fr)",
                    "required",
                    "relevant",
                    "constraint",
                    "constraint_message::English (en)",
                    "appearance",
                ],
                ["start", "start", "", "", "", "", "", "", ""],
                ["end", "end", "", "", "", "", "", "", ""],
                ["begin_group", "household", "Household", "Ménage", "", "", "", "", "field-list"],
                [
                    "integer",
                    "members",
                    "How many people live here?",
                    "Combien de personnes ?",
                    "true",
                    "",
                    ". > 0 and . < 40",
                    "Between 1 and 39",
                    "",
                ],
                [
                    "select_one yn",
                    "children",
                    "Are there children?",
                    "Y a-t-il des enfants ?",
                    "true",
                    "",
                    "",
                    "",
                    "",
                ],
                [
                    "integer",
                    "children_n",
                    "How many?",
                    "Combien ?",
                    "true",
                    "${children} = 'yes'",
                    ". <= ${members}",
                    "No more than the household",
                    "",
                ],
                ["end_group", "", "", "", "", "", "", "", ""],
                ["select_multiple needs", "needs", "Needs", "Besoins", "", "", "", "", ""],
            ],
            "choices": [
                ["list_name", "name", "label::English (en)", "label::French (fr)"],
                ["yn", "yes", "Yes", "Oui"],
                ["yn", "no", "No", "Non"],
                ["needs", "food", "Food", "Nourriture"],
                ["needs", "shelter", "Shelter", "Abri"],
                ["needs", "health", "Health care", "Soins"],
            ],
            "settings": [
                *KOBO_SETTINGS,
                ["Household visit", "household_visit", "1", "English (en)"],
            ],
        },
    ),
    CorpusForm(
        "screening_or_other.xlsx",
        "a protection screening with `or_other` (a choice Other and a 'specify' question)",
        {
            "survey": [
                ["type", "name", "label", "required"],
                ["select_one reason or_other", "reason", "Why did you leave?", "yes"],
                ["text", "notes", "Notes", ""],
            ],
            "choices": [
                ["list_name", "name", "label"],
                ["reason", "conflict", "Conflict"],
                ["reason", "work", "Work"],
            ],
            "settings": [["form_id"], ["screening_or_other"]],
        },
    ),
    CorpusForm(
        "interview_times.xlsx",
        "an interview log: times, a date and time, device metadata",
        {
            "survey": [
                ["type", "name", "label"],
                ["today", "today", ""],
                ["deviceid", "deviceid", ""],
                ["username", "username", ""],
                ["time", "arrived", "Arrival time"],
                ["dateTime", "interviewed", "Interview date and time"],
                ["date", "born", "Date of birth"],
            ],
            "settings": [["form_id", "version"], ["interview_log", "2024010101"]],
        },
    ),
    CorpusForm(
        "registration_defaults.xlsx",
        "a registration form with defaults and a read-only site code",
        {
            "survey": [
                ["type", "name", "label", "default", "read_only"],
                ["text", "site", "Site", "BORDER-01", "yes"],
                ["select_one yn", "consent", "Consent given?", "no", ""],
                ["integer", "household_size", "Household size", "1", ""],
            ],
            "choices": YES_NO,
            "settings": [["form_id"], ["registration_defaults"]],
        },
    ),
    CorpusForm(
        "consent_acknowledge.xlsx",
        "a consent script: notes and an acknowledgement",
        {
            "survey": [
                ["type", "name", "label", "required"],
                ["note", "script", "Read the consent script to the person.", ""],
                ["acknowledge", "read", "I have read the script", "yes"],
                ["text", "comments", "Comments", ""],
            ],
            "settings": [["form_id"], ["consent_script"]],
        },
    ),
    CorpusForm(
        "wellbeing_range.xlsx",
        "a psychosocial check-in on a 0–10 scale (range with parameters)",
        {
            "survey": [
                ["type", "name", "label", "parameters", "dimension", "score_min", "score_max"],
                ["range", "distress", "Distress today (0–10)", "start=0 end=10 step=1", "d", 0, 10],
                ["range", "sleep", "Hours of sleep", "start=0 end=12 step=0.5", "", "", ""],
            ],
            "scoring": [
                ["name", "type", "label", "missing"],
                ["d", "dimension", "Distress", "skip"],
            ],
            "settings": [["form_id"], ["wellbeing_checkin"]],
        },
    ),
    CorpusForm(
        "family_members_repeat.xlsx",
        "a family composition roster: a repeat without a fixed count",
        {
            "survey": [
                ["type", "name", "label", "required"],
                ["begin repeat", "member", "Family member", ""],
                ["text", "member_name", "Name", "yes"],
                ["select one relation", "relation", "Relation", "yes"],
                ["integer", "member_age", "Age", ""],
                ["end repeat", "", "", ""],
            ],
            "choices": [
                ["list_name", "name", "label"],
                ["relation", "parent", "Parent"],
                ["relation", "sibling", "Sibling"],
                ["relation", "child", "Child"],
            ],
            "settings": [["form_id"], ["family_roster"]],
        },
    ),
    CorpusForm(
        "cascading_location.xlsx",
        "ODK's cascading selects: country then city, by choice_filter",
        {
            "survey": [
                ["type", "name", "label", "choice_filter"],
                ["select_one country", "country", "Country", ""],
                ["select_one city", "city", "City", "country=${country}"],
            ],
            "choices": [
                ["list_name", "name", "label", "country"],
                ["country", "ly", "Libya", ""],
                ["country", "ne", "Niger", ""],
                ["city", "tripoli", "Tripoli", "ly"],
                ["city", "sabha", "Sabha", "ly"],
                ["city", "agadez", "Agadez", "ne"],
            ],
            "settings": [["form_id"], ["cascading_location"]],
        },
    ),
    CorpusForm(
        "spaced_types.xlsx",
        "types written with spaces, as older forms do ('select one', 'begin group')",
        {
            "survey": [
                ["type", "name", "label"],
                ["begin group", "g", "Group"],
                ["select one yn", "a", "A"],
                ["select all that apply yn", "b", "B"],
                ["end group", "", ""],
            ],
            "choices": YES_NO,
            "settings": [["form_id"], ["spaced_types"]],
        },
    ),
    CorpusForm(
        "arabic_labels.xlsx",
        "an Arabic and English form with hints and messages in both",
        {
            "survey": [
                [
                    "type",
                    "name",
                    "label::English (en)",
                    "label::Arabic (ar)",
                    "hint::English (en)",
                    "hint::Arabic (ar)",
                    "constraint",
                    "constraint_message::Arabic (ar)",
                ],
                ["integer", "age", "Age", "العمر", "In years", "بالسنوات", ". < 120", "أقل من 120"],
                ["select_one yn", "alone", "Travelling alone?", "مسافر وحدك؟", "", "", "", ""],
            ],
            "choices": [
                ["list_name", "name", "label::English (en)", "label::Arabic (ar)"],
                ["yn", "yes", "Yes", "نعم"],
                ["yn", "no", "No", "لا"],
            ],
            "settings": [["form_id", "default_language"], ["arabic_labels", "Arabic (ar)"]],
        },
    ),
    CorpusForm(
        "calculations.xlsx",
        "a scored form whose total is a calculation with if() and coalesce()",
        {
            "survey": [
                ["type", "name", "label", "calculation"],
                ["integer", "adults", "Adults", ""],
                ["integer", "children", "Children", ""],
                ["calculate", "total", "", "coalesce(${adults}, 0) + coalesce(${children}, 0)"],
                ["calculate", "large", "", "if(${total} > 6, 'yes', 'no')"],
                ["note", "show", "Household of ${total}", ""],
            ],
            "settings": [["form_id"], ["calculations"]],
        },
    ),
    CorpusForm(
        "roster_repeat_count.xlsx",
        "a roster whose repeat runs as many times as a question says",
        {
            "survey": [
                ["type", "name", "label", "repeat_count"],
                ["integer", "n", "How many children?", ""],
                ["begin_repeat", "child", "Child", "${n}"],
                ["text", "child_name", "Name", ""],
                ["end_repeat", "", "", ""],
            ],
            "settings": [["form_id"], ["roster_count"]],
        },
    ),
    CorpusForm(
        "legacy_screening.xls",
        "an older field form kept as an .xls workbook",
        {
            "survey": [
                ["type", "name", "label", "relevant"],
                ["select_one yn", "minor", "Is the person under 18?", ""],
                ["select_one yn", "alone", "Unaccompanied?", "${minor} = 'yes'"],
                ["text", "guardian", "Guardian's name", "${alone} = 'no'"],
            ],
            "choices": YES_NO,
            "settings": [["form_title", "form_id"], ["Legacy screening", "legacy_screening"]],
        },
    ),
    # Refused: features Haven does not handle yet, each named.
    CorpusForm(
        "roster_fixed_count.xlsx",
        "three reference contacts, a repeat with a fixed count",
        {
            "survey": [
                ["type", "name", "label", "repeat_count"],
                ["begin_repeat", "contact", "Reference contact", "3"],
                ["text", "contact_name", "Name", ""],
                ["end_repeat", "", "", ""],
            ],
            "settings": [["form_id"], ["roster_fixed"]],
        },
    ),
    CorpusForm(
        "document_barcode.xlsx",
        "a registration that scans a document's barcode",
        {
            "survey": [["type", "name", "label"], ["barcode", "code", "Scan the document"]],
            "settings": [["form_id"], ["document_barcode"]],
        },
    ),
    CorpusForm(
        "site_location.xlsx",
        "a site assessment with a GPS point",
        {
            "survey": [
                ["type", "name", "label"],
                ["geopoint", "where", "Location"],
                ["text", "site", "Site"],
            ],
            "settings": [["form_id"], ["site_location"]],
        },
    ),
    CorpusForm(
        "document_photo.xlsx",
        "a registration that photographs an identity document",
        {
            "survey": [["type", "name", "label"], ["image", "doc", "Photo of the document"]],
            "settings": [["form_id"], ["document_photo"]],
        },
    ),
    CorpusForm(
        "voice_note.xlsx",
        "a feedback form with a recorded voice note",
        {
            "survey": [["type", "name", "label"], ["audio", "voice", "Your message"]],
            "settings": [["form_id"], ["voice_note"]],
        },
    ),
    CorpusForm(
        "site_video.xlsx",
        "a site assessment with a video walk-through",
        {
            "survey": [["type", "name", "label"], ["video", "walk", "Film the site"]],
            "settings": [["form_id"], ["site_video"]],
        },
    ),
    CorpusForm(
        "camp_boundary.xlsx",
        "a site survey that walks the camp's path and draws its boundary",
        {
            "survey": [
                ["type", "name", "label"],
                ["geotrace", "path", "Walk the main path"],
                ["geoshape", "boundary", "Draw the camp boundary"],
            ],
            "settings": [["form_id"], ["camp_boundary"]],
        },
    ),
    CorpusForm(
        "districts_geojson.xlsx",
        "a select whose choices come from a GeoJSON file",
        {
            "survey": [
                ["type", "name", "label"],
                ["select_one_from_file districts.geojson", "district", "District"],
            ],
            "settings": [["form_id"], ["districts_geojson"]],
        },
        "refused",
        ["districts.geojson", "csv"],
    ),
    CorpusForm(
        "background_recording.xlsx",
        "an interview recorded in the background while it is filled",
        {
            "survey": [
                ["type", "name", "label"],
                ["background-audio", "interview", ""],
                ["text", "answer", "Answer"],
            ],
            "settings": [["form_id"], ["background_recording"]],
        },
        "refused",
        ["background-audio"],
    ),
    CorpusForm(
        "villages_from_file.xlsx",
        "a select whose choices come from a CSV attachment",
        {
            "survey": [
                ["type", "name", "label"],
                ["select_one_from_file villages.csv", "village", "Village"],
            ],
            "settings": [["form_id"], ["villages_from_file"]],
        },
        media={
            "villages.csv": "name,label,district\n"
            "agadez,Agadès,north\narlit,Arlit,north\nniamey,Niamey,south\n".encode()
        },
    ),
    CorpusForm(
        "sites_from_file.xlsx",
        "a select whose CSV attachment names its columns otherwise, with a choice filter",
        {
            "survey": [
                ["type", "name", "label", "choice_filter", "parameters"],
                ["select_one region", "region", "Region", "", ""],
                [
                    "select_multiple_from_file sites.csv",
                    "sites",
                    "Sites visited",
                    "region=${region}",
                    "value=code label=site_name",
                ],
            ],
            "choices": [["list_name", "name", "label"], ["region", "north", "North"]],
            "settings": [["form_id"], ["sites_from_file"]],
        },
        media={"sites.csv": b"code,site_name,region\nS1,Dirkou,north\nS2,Tahoua,south\n"},
    ),
    CorpusForm(
        "villages_wrong_columns.xlsx",
        "a select whose CSV attachment lacks the column it is told to read",
        {
            "survey": [
                ["type", "name", "label"],
                ["select_one_from_file villages.csv", "village", "Village"],
            ],
            "settings": [["form_id"], ["villages_wrong_columns"]],
        },
        "refused",
        ["villages.csv", "no column 'label'", "id, name, nom"],
        media={"villages.csv": b"id,name,nom\n1,agadez,Agad\xc3\xa8s\n"},
    ),
    CorpusForm(
        "villages_not_attached.xlsx",
        "a select from a CSV file that was not uploaded with the form",
        {
            "survey": [
                ["type", "name", "label"],
                ["select_one_from_file villages.csv", "village", "Village"],
            ],
            "settings": [["form_id"], ["villages_not_attached"]],
        },
        "refused",
        ["villages.csv", "not attached"],
    ),
    CorpusForm(
        "registration_ids_and_dates.xlsx",
        "a registration form as field teams write them: a reference made once, the age from "
        "the date of birth, dates written out for the summary note",
        {
            "survey": [
                ["type", "name", "label", "calculation", "constraint"],
                ["calculate", "reference", "", "once(concat('REG-', uuid(6)))", ""],
                ["calculate", "registered_at", "", "once(now())", ""],
                ["date", "dob", "Date of birth", "", ". <= today()"],
                ["calculate", "age", "", "int((today() - ${dob}) div 365.25)", ""],
                ["calculate", "dob_text", "", "format-date(${dob}, '%e %b %Y')", ""],
                ["calculate", "initial", "", "substr(normalize-space(${name}), 0, 1)", ""],
                ["text", "name", "Name", "", "string-length(.) > 1"],
                [
                    "note",
                    "summary",
                    "${reference}: ${initial}, born ${dob_text} (${age})",
                    "",
                    "",
                ],
            ],
            "settings": [["form_id"], ["registration_ids_and_dates"]],
        },
    ),
    CorpusForm(
        "priorities_rank.xlsx",
        "needs ranked in order of priority",
        {
            "survey": [["type", "name", "label"], ["rank needs", "order", "Rank the needs"]],
            "choices": [
                ["list_name", "name", "label"],
                ["needs", "food", "Food"],
                ["needs", "water", "Water"],
            ],
            "settings": [["form_id"], ["priorities_rank"]],
        },
    ),
    CorpusForm(
        "pulldata_lookup.xlsx",
        "a form that looks a value up in an attached CSV with pulldata()",
        {
            "survey": [
                ["type", "name", "label", "calculation"],
                ["text", "code", "Site code", ""],
                ["calculate", "site_name", "", "pulldata('sites', 'name', 'code', ${code})"],
            ],
            "settings": [["form_id"], ["pulldata_lookup"]],
        },
        media={"sites.csv": b"code,name,district\nS1,Dirkou,north\nS2,Tahoua,south\n"},
    ),
    CorpusForm(
        "pulldata_not_attached.xlsx",
        "a form that looks a value up with pulldata() in a CSV file that was not uploaded",
        {
            "survey": [
                ["type", "name", "label", "calculation"],
                ["text", "code", "Site code", ""],
                ["calculate", "site_name", "", "pulldata('sites', 'name', 'code', ${code})"],
            ],
            "settings": [["form_id"], ["pulldata_not_attached"]],
        },
        "refused",
        ["pulldata('sites'", "sites.csv", "not attached"],
    ),
    CorpusForm(
        "trigger_recalc.xlsx",
        "a calculation recomputed only when a question changes (trigger)",
        {
            "survey": [
                ["type", "name", "label", "calculation", "trigger"],
                ["integer", "weight", "Weight (kg)", "", ""],
                ["calculate", "stamp", "", "now()", "${weight}"],
            ],
            "settings": [["form_id"], ["trigger_recalc"]],
        },
    ),
    # Refused: mistakes in the form itself, named where they are.
    CorpusForm(
        "missing_list.xlsx",
        "a select whose choice list was never written",
        {
            "survey": [["type", "name", "label"], ["select_one colours", "c", "Colour"]],
            "settings": [["form_id"], ["missing_list"]],
        },
        "refused",
        ["colours"],
    ),
    CorpusForm(
        "several_mistakes.xlsx",
        "a draft with three mistakes at once: every one is reported in one pass",
        {
            "survey": [
                ["type", "name", "label", "relevant"],
                ["start-geopoint", "where", "", ""],
                ["text", "a", "A", "${nowhere} = 'x'"],
                ["background-audio", "clip", "", ""],
            ],
        },
        "refused",
        ["start-geopoint", "background-audio", "nowhere"],
    ),
]
