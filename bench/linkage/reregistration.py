"""Re-registrations of migrants, made from published descriptions of how their records
differ — a benchmark set written apart from the engine and its own generator
(`haven.linkage.synthetic`), sharing no code with either.

People come in households (siblings share a father's name, a family name, a place and often
a phone: the hard non-matches) from naming traditions that registration forms fit badly.
Each person is registered one to four times, at different offices, by different staff.
What varies between registrations, and how often (sources in docs/benchmarks.md):

- unknown dates of birth: 15 % of people do not know theirs and are given 1 January of an
  estimated year (14 % of the refugees resettled in the USA in 2009 and 15 % over 2005–08
  had 1 January birthdays [LAT 2010, CSM 2009]); a person who states an age instead gets a
  year estimated from it at each registration, rounded to an age ending in 0 or 5 in 40 %
  of statements (42 % of ages with a wrong final digit in a rural survey [Pardeshi 2010]),
  otherwise off by up to two years;
- typing errors: 2 % of fields typed get one character wrong, missing, doubled or two
  swapped (error rates of manual entry 0.55–3.6 % per entry [Barchard et al. 2020]);
- spellings: an Arabic name is written in Latin letters with one of its common spellings,
  independently at each registration (one given name has more than 20 [WSJ 2011]; Arabic
  names are written several ways even in Arabic script [Hassanat & Altarawneh 2014]), or
  in Arabic script at an office that writes it (30 % of registrations); a Somali name has
  four spellings at least, Somali, English, French and Italian [Mansuur 2021];
- name structure: Somali (and, alike, Eritrean, Ethiopian and Sudanese) names are a given
  name followed by the father's and grandfather's given names, with no family name
  [Mansuur 2021]: the family name field receives the father's name, the grandfather's,
  both, or nothing, differently at each registration; Afghans are given a tribal name or
  none (an assumption); a given and a family name are swapped in 10 % of registrations
  ("HASSAN, Muhammad", an assumption);
- other fields: sex recorded wrongly in 1 %, nationality recorded differently in 5 % (a
  second nationality, a country of birth taken for one), the father's name asked in 60 %,
  the registration office differs between registrations in 50 %, a document shown by 30 %
  of people (at 70 % of their registrations), a phone number by 50 % (given at 60 %, and
  changed between registrations in 30 %).

Rates without a published figure (those marked, and the last group) are assumptions.
`python reregistration.py OUT.parquet [people]` writes the table.
"""

import random
import string
import sys

ARABIC_GIVEN_MALE = {
    "محمد": ["Mohamed", "Mohammed", "Muhammad", "Mohammad", "Mohamad", "Mohamud", "Mahamat"],
    "أحمد": ["Ahmed", "Ahmad", "Ahmet", "Ahmat"],
    "عمر": ["Omar", "Umar", "Omer"],
    "خالد": ["Khaled", "Khalid", "Khalied"],
    "يوسف": ["Youssef", "Yousef", "Yusuf", "Yosef", "Youcef"],
    "إبراهيم": ["Ibrahim", "Ebrahim", "Brahim", "Ibrahima"],
    "عبدالله": ["Abdullah", "Abdallah", "Abdulla", "Abdellah", "Abdalla"],
    "حسن": ["Hassan", "Hasan", "Hassen"],
    "حسين": ["Hussein", "Hussain", "Husein", "Houssein"],
    "علي": ["Ali", "Aly", "Alee"],
    "مصطفى": ["Mustafa", "Moustafa", "Mostafa", "Mustapha"],
    "عثمان": ["Osman", "Othman", "Usman", "Ousmane"],
    "سعيد": ["Said", "Saeed", "Saïd", "Sayed"],
    "جمال": ["Jamal", "Gamal", "Djamel"],
    "طارق": ["Tarek", "Tariq", "Tarik"],
    "قاسم": ["Qasim", "Kassem", "Kasim", "Gasim"],
    "محمود": ["Mahmoud", "Mahmud", "Mahmood"],
    "عبدالرحمن": ["Abdulrahman", "Abdelrahman", "Abderrahmane", "Abdirahman"],
    "سليمان": ["Suleiman", "Sulaiman", "Slimane", "Souleymane"],
    "ياسين": ["Yassin", "Yasin", "Yacine"],
    "كريم": ["Karim", "Kareem", "Krim"],
    "بلال": ["Bilal", "Belal"],
    "آدم": ["Adam", "Adem", "Aadam"],
    "نبيل": ["Nabil", "Nabeel"],
    "هشام": ["Hisham", "Hicham", "Hesham"],
    "وليد": ["Walid", "Waleed", "Oualid"],
    "فيصل": ["Faisal", "Faysal", "Fayçal"],
    "زكريا": ["Zakaria", "Zakariya", "Zacharia"],
    "إسماعيل": ["Ismail", "Ismael", "Smail"],
    "رامي": ["Rami", "Ramy"],
    "باسل": ["Basel", "Basil", "Bassel"],
    "أنس": ["Anas", "Ennes"],
}
ARABIC_GIVEN_FEMALE = {
    "فاطمة": ["Fatima", "Fatma", "Fatimah", "Fatuma", "Fadumo"],
    "عائشة": ["Aisha", "Aicha", "Ayesha", "Aysha"],
    "مريم": ["Maryam", "Mariam", "Meriem", "Maryan"],
    "خديجة": ["Khadija", "Khadidja", "Khadijah", "Hadija"],
    "زينب": ["Zainab", "Zeinab", "Zaynab", "Zenab"],
    "أمل": ["Amal", "Amel", "Aamal"],
    "نور": ["Nour", "Noor", "Nur"],
    "هدى": ["Huda", "Houda", "Hoda"],
    "سلمى": ["Salma", "Selma", "Salmah"],
    "رانيا": ["Rania", "Ranya", "Raniya"],
    "ليلى": ["Leila", "Layla", "Laila", "Leyla"],
    "سارة": ["Sara", "Sarah", "Sarra"],
    "ياسمين": ["Yasmin", "Yasmine", "Jasmin"],
    "حليمة": ["Halima", "Halimah", "Xaliimo"],
    "آمنة": ["Amina", "Aminah", "Amna", "Aamina"],
    "رقية": ["Ruqaya", "Roukaya", "Rokia"],
    "سعاد": ["Souad", "Suad", "Soad"],
    "هبة": ["Hiba", "Heba"],
    "دعاء": ["Duaa", "Doaa", "Dua"],
    "إيمان": ["Iman", "Eman", "Imane"],
    "شيماء": ["Shaimaa", "Chaima", "Shayma"],
    "رحاب": ["Rehab", "Rihab"],
}
ARABIC_FAMILY = {
    "الحسن": ["Al-Hassan", "El Hassan", "Alhasan", "Hassan"],
    "حداد": ["Haddad", "Hadad", "Al-Haddad"],
    "الخطيب": ["Al-Khatib", "El Khatib", "Khatib", "Alkhateeb"],
    "الأحمد": ["Al-Ahmad", "Alahmed", "Ahmad"],
    "صالح": ["Saleh", "Salih", "Salah"],
    "النجار": ["Al-Najjar", "Najjar", "Nagar", "Alnajar"],
    "الشامي": ["Al-Shami", "Shami", "Chami", "Alshamy"],
    "العلي": ["Al-Ali", "Alali", "El Ali"],
    "يوسف": ["Youssef", "Yousef", "Yusuf"],
    "إبراهيم": ["Ibrahim", "Ebrahim", "Brahim"],
    "قاسم": ["Qasim", "Kassem", "Kasim"],
    "الزعبي": ["Al-Zoubi", "Zoubi", "Alzubi", "Al Zobi"],
    "المصري": ["Al-Masri", "Masri", "El Masry"],
    "عبدالرحمن": ["Abdulrahman", "Abdel Rahman", "Abderrahmane", "Abdurahman"],
    "الحمدان": ["Al-Hamdan", "Hamdan", "Alhamdan"],
    "الجاسم": ["Al-Jasim", "Jassem", "Al Jassim"],
    "الحلبي": ["Al-Halabi", "Halabi", "Alhalaby"],
    "العبدالله": ["Al-Abdullah", "Abdallah", "Alabdulla"],
    "السيد": ["Al-Sayed", "El Sayed", "Alsaid"],
    "الرفاعي": ["Al-Rifai", "Rifai", "Elrefaei"],
    "الموسى": ["Al-Mousa", "Mousa", "Moussa", "Musa"],
    "الخليل": ["Al-Khalil", "Khalil", "Khaleel"],
    "الدرويش": ["Darwish", "Derwich", "Al-Darwish"],
    "العمر": ["Al-Omar", "Alomar", "Omar"],
    "البكري": ["Al-Bakri", "Bakri", "Elbakry"],
    "الحمصي": ["Al-Homsi", "Homsi", "Hemsi"],
    "الجبوري": ["Al-Jubouri", "Jubouri", "Aljboori"],
    "التميمي": ["Al-Tamimi", "Tamimi", "Attamimi"],
    "العبيدي": ["Al-Obaidi", "Obaidi", "Alubaydi"],
    "الكردي": ["Al-Kurdi", "Kurdi", "Elkordy"],
}
# Names of the Horn of Africa and Afghanistan, written in Latin letters with some variation.
HORN_MALE = [
    ["Abdirahman", "Abdurahman", "Abdirahmaan"],
    ["Mohamud", "Mahmoud", "Mohamoud"],
    ["Tesfay", "Tesfaye", "Tesfai"],
    ["Yonas", "Yonatan", "Jonas"],
    ["Dawit", "Dawid"],
    ["Hagos", "Hagoss"],
    ["Bereket", "Bereket", "Berekhet"],
    ["Abdi", "Abdy"],
    ["Ahmed", "Ahmad", "Axmed"],
    ["Filmon", "Philemon"],
    ["Osman", "Cusmaan", "Usman"],
]
HORN_FEMALE = [
    ["Fadumo", "Fatuma", "Faadumo"],
    ["Hodan", "Hoodan"],
    ["Saba", "Sabah"],
    ["Helen", "Hellen", "Eleni"],
    ["Ruta", "Rutha"],
    ["Hawa", "Xawa", "Hawwa"],
    ["Semhar", "Semhare"],
    ["Asha", "Aisha", "Caasha"],
]
AFGHAN_MALE = [
    ["Ahmad", "Ahmed"],
    ["Mohammad", "Mohammed", "Muhammad"],
    ["Rahmatullah"],
    ["Naqibullah", "Naqib"],
    ["Gul", "Gol"],
    ["Jawad", "Javad"],
    ["Hamid", "Hameed"],
]
AFGHAN_FEMALE = [
    ["Zahra", "Zohra"],
    ["Fereshta", "Freshta"],
    ["Mariam", "Maryam"],
    ["Nazanin", "Nazaneen"],
    ["Parwana", "Parvana"],
]
AFGHAN_TRIBES = [["Ahmadzai", "Ahmadzay"], ["Popal", "Popalzai"], ["Hazara"], ["Safi"], [""]]

ORIGINS = {  # nationality code -> (tradition, share of people)
    "SY": ("arabic", 0.30),
    "SD": ("patronymic", 0.15),
    "SO": ("patronymic", 0.15),
    "ER": ("patronymic", 0.15),
    "AF": ("afghan", 0.15),
    "IQ": ("arabic", 0.10),
}
OFFICES = [
    "Agadez",
    "Niamey",
    "Gaziantep",
    "Amman",
    "Tripoli",
    "Khartoum",
    "Kassala",
    "Djibouti",
    "Athens",
    "Lampedusa",
    "Tapachula",
    "Kabul transit",
]
RATES = {
    "unknown_birth_date": 0.15,
    "age_rounded": 0.40,
    "typo": 0.02,
    "arabic_script": 0.30,
    "swapped": 0.10,
    "sex_wrong": 0.01,
    "nationality_differs": 0.05,
    "father_asked": 0.60,
    "office_differs": 0.50,
    "has_document": 0.30,
    "document_shown": 0.70,
    "has_phone": 0.50,
    "phone_given": 0.60,
    "phone_changed": 0.30,
}


def _name(rng: random.Random, tradition: str, female: bool) -> dict:
    """A given name: its Arabic writing (when it has one) and its Latin spellings."""
    if tradition == "arabic" or (tradition == "patronymic" and rng.random() < 0.4):
        table = ARABIC_GIVEN_FEMALE if female else ARABIC_GIVEN_MALE
        arabic = rng.choice(sorted(table))
        return {"arabic": arabic, "latin": table[arabic]}
    if tradition == "afghan":
        return {"arabic": "", "latin": rng.choice(AFGHAN_FEMALE if female else AFGHAN_MALE)}
    return {"arabic": "", "latin": rng.choice(HORN_FEMALE if female else HORN_MALE)}


def _household(rng: random.Random, number: int) -> list[dict]:
    nationality = rng.choices(list(ORIGINS), [share for _t, share in ORIGINS.values()])[0]
    tradition = ORIGINS[nationality][0]
    father = _name(rng, tradition, female=False)
    grandfather = _name(rng, tradition, female=False)
    if tradition == "arabic":
        arabic = rng.choice(sorted(ARABIC_FAMILY))
        family = {"arabic": arabic, "latin": ARABIC_FAMILY[arabic]}
    elif tradition == "afghan":
        family = {"arabic": "", "latin": rng.choice(AFGHAN_TRIBES)}
    else:
        family = None  # no family name: the father's and grandfather's names stand for it
    office = rng.choice(OFFICES)
    phone = "+" + "".join(rng.choice(string.digits) for _ in range(11))
    born = rng.randint(1965, 2010)
    people = []
    for member in range(rng.choice([1, 1, 2, 2, 3, 4, 5, 6])):
        female = rng.random() < 0.5
        year = born + rng.randint(-3, 12) * (member > 0)
        people.append(
            {
                "id": f"{number}-{member}",
                "nationality": nationality,
                "tradition": tradition,
                "given": _name(rng, tradition, female),
                "father": father,
                "grandfather": grandfather,
                "family": family,
                "sex": "female" if female else "male",
                "year": min(year, 2024),
                "month": rng.randint(1, 12),
                "day": rng.randint(1, 28),
                "knows_date": rng.random() >= RATES["unknown_birth_date"],
                "office": office,
                "document": (
                    "".join(rng.choice(string.ascii_uppercase) for _ in range(2))
                    + "".join(rng.choice(string.digits) for _ in range(7))
                    if rng.random() < RATES["has_document"]
                    else ""
                ),
                "phone": phone if rng.random() < RATES["has_phone"] else "",
            }
        )
    return people


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 3 or rng.random() >= RATES["typo"]:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + rng.choice(string.ascii_lowercase) + text[i + 1 :]
    if kind == 2:
        return text[:i] + text[i] + text[i:]
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]


def _written(rng: random.Random, name: dict | None, script: bool) -> str:
    if not name:
        return ""
    if script and name["arabic"]:
        return name["arabic"]
    return _typo(rng, rng.choice(name["latin"]))


def _birth_date(rng: random.Random, person: dict) -> str:
    if person["knows_date"]:
        return _typo(rng, f"{person['year']:04d}-{person['month']:02d}-{person['day']:02d}")
    age = 2025 - person["year"]
    if rng.random() < RATES["age_rounded"]:
        age = max(1, 5 * round(age / 5))
    else:
        age += rng.randint(-2, 2)
    year = 2025 - age
    return f"{year}-01-01" if rng.random() < 0.7 else f"~{year}"


def _registration(rng: random.Random, person: dict) -> dict:
    script = rng.random() < RATES["arabic_script"]
    given = _written(rng, person["given"], script)
    if person["family"] is not None:
        family = _written(rng, person["family"], script)
    else:
        choice = rng.randrange(4)
        father = _written(rng, person["father"], script)
        grandfather = _written(rng, person["grandfather"], script)
        family = [father, grandfather, f"{father} {grandfather}", ""][choice]
    if rng.random() < RATES["swapped"]:
        given, family = family, given
    sex = person["sex"]
    if rng.random() < RATES["sex_wrong"]:
        sex = "male" if sex == "female" else "female"
    nationality = person["nationality"]
    if rng.random() < RATES["nationality_differs"]:
        nationality = rng.choice(sorted(ORIGINS))
    office = person["office"]
    if rng.random() < RATES["office_differs"]:
        office = rng.choice(OFFICES)
    document = person["document"] if rng.random() < RATES["document_shown"] else ""
    phone = person["phone"] if rng.random() < RATES["phone_given"] else ""
    if phone and rng.random() < RATES["phone_changed"]:
        phone = "+" + "".join(rng.choice(string.digits) for _ in range(11))
    return {
        "given_name": given,
        "family_name": family,
        "sex": sex,
        "birth_date": _birth_date(rng, person),
        "nationality": nationality,
        "place": office,
        "relatives": (
            _written(rng, person["father"], script) if rng.random() < RATES["father_asked"] else ""
        ),
        "documents": _typo(rng, document),
        "contacts": _typo(rng, phone),
        "truth": person["id"],
    }


def reregistrations(people: int = 8_000, seed: int = 2026) -> dict[str, list]:
    rng = random.Random(seed)
    persons: list[dict] = []
    number = 0
    while len(persons) < people:
        persons.extend(_household(rng, number))
        number += 1
    columns: dict[str, list] = {}
    for person in persons[:people]:
        for _ in range(1 + min(3, int(rng.expovariate(1.0)))):
            for key, value in _registration(rng, person).items():
                columns.setdefault(key, []).append(value)
    columns["unique_id"] = [str(i) for i in range(len(columns["truth"]))]
    return columns


if __name__ == "__main__":
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = reregistrations(int(sys.argv[2]) if len(sys.argv) > 2 else 8_000)
    pq.write_table(
        pa.table({k: pa.array(v, type=pa.string()) for k, v in table.items()}), sys.argv[1]
    )
