# ruff: noqa: E501  # the offers are data: one offer a line reads better than split strings
"""Writes bench/data/screening_offers.jsonl: the labelled set bench/screening.py measures.

Every offer is invented for this test, never scraped: deceptive ones (label 1) are put together
from fragments written after the recruitment patterns of the sources the indicators cite (free
travel, a travel debt, oaths, passports, a sponsor abroad, no-skill jobs at high pay, WhatsApp
only, desert routes), in English and Nigerian Pidgin, several of them worded as the indicators'
patterns do not expect; legitimate ones (label 0) are honest adverts, many of them with the
words a keyword list trips on (visa, Dubai, WhatsApp, urgent, salary, travel). A fixed seed keeps
the file the same from run to run:

    .venv/bin/python bench/screening_offers.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "screening_offers.jsonl"
SEED = 20261206

DECEPTIVE_EN = [
    "Free visa and ticket to Dubai for hardworking ladies.",
    "Our sponsor will pay for your flight to Italy; you refund the sponsor from your salary.",
    "Housemaid jobs in Saudi Arabia, no experience needed, salary $800 monthly.",
    "You will pay back the cost of the journey when you start work.",
    "Before travelling every girl must swear an oath at the shrine.",
    "Send your international passport and two photos to the agent today.",
    "Contact us on WhatsApp only; no calls, no office visits.",
    "We travel by road through Agadez to Libya, then by boat to Italy.",
    "Madam in Italy will receive you at the airport and give you work.",
    "Young beautiful ladies between 18 and 25 wanted for hotel work abroad.",
    "Do not tell your family about this offer until you arrive.",
    "Limited slots, we leave next week, pay the registration fee of N50,000 now.",
    "Your passport will be kept by the employer for the whole contract.",
    "Hostess and dancers needed for a club in Beirut, big salary.",
    "Girls aged 15 to 17 can apply, we will change your age on the passport.",
    "All travel expenses paid; the company deducts it from your wages later.",
    "Earn 2,000 euros monthly doing simple work, no qualification required.",
    "Nanny needed in Oman, live-in, you cannot go out on weekdays.",
    "Massage therapists wanted in Moscow, travel at no cost.",
    "Our agent in Mali will receive you and take you to the gold site.",
    "Processing fee is only 30,000 naira, then your visa comes in two weeks.",
    "You will owe the madam for the ticket until you finish paying.",
    "Escorts wanted abroad; send full length pictures.",
    "Farm work in Libya, anyone can apply, we arrange everything.",
    "Tell immigration you are going for a holiday.",
    "Keep this secret until you travel, people will spoil it.",
    "Golden Gate Travels Ltd will process your visa and ticket for free.",
    "Cleaner jobs in Kuwait, no certificate needed, salary 1,500 dollars.",
    "A chief priest will bless the journey and you will take an oath of loyalty.",
    "Phones will be collected on arrival for your safety.",
    "We carry girls across the Sahara to Libya every month.",
    "Your boyfriend abroad will sponsor your ticket to Spain.",
    "Football trial in Europe, academy pays your flight, you pay back from contract.",
    "Caregivers needed in Lebanon, urgent travel, pay small deposit first.",
]
DECEPTIVE_PCM = [
    "Oga for Italy dey find fine girls, dem go pay for your visa and ticket.",
    "You go pay am back from your salary when you reach.",
    "You go swear for shrine before you travel, na normal thing.",
    "Carry your passport come office tomorrow, we go keep am.",
    "Na only WhatsApp we dey use, chat me for WhatsApp sharp.",
    "Madam dey wait you for Libya, she go arrange work.",
    "You no need experience or certificate, money plenty for yonder.",
    "No tell your mama or papa, make e be between me and you.",
    "House girl work for Saudi, free ticket, big salary.",
    "We go pass through desert reach Libya, then enter boat cross.",
    "Transport na free, you go work pay am back.",
    "Send your picture and your passport make I process am.",
    "Space no plenty, pay small money first make we register you.",
    "Dem go collect your phone when you reach, no wahala.",
    "We go change your age for passport, small pikin fit go.",
    "Sponsor go carry you go abroad, you go refund am small small.",
    "Quick money dey for Dubai, hotel girl work, no school needed.",
    "Make you no tell anybody, na secret work.",
    "Aunty for jand go receive una for airport.",
    "E get agency wey dey carry people go Russia, free flight.",
]
SUBTLE = [  # deceptive, worded off the patterns: the honest test of recall
    "A kind woman in our church says she can take my daughter overseas to help with her shop.",
    "The man said she will work in a restaurant in Europe and send money home every month.",
    "He promised a good life abroad and said everything is arranged, she only needs to come.",
    "Dem say na supermarket work for Europe, she go start send money quick.",
    "They want girls who can leave this month; the boss settles every cost on the way.",
    "My cousin's friend said there is cleaning work in the Gulf and the boss settles the fare.",
]
LEGIT = [
    "Accounts officer wanted in Ikeja. HND or BSc in accounting and three years' experience.",
    "Apply through our website with your CV; shortlisted candidates are invited for interview.",
    "Registered nurses for hospitals in the UK: NMC registration, IELTS 7.0 and two years' experience required; visa sponsored by the employer under the Health and Care route.",
    "Interviews hold at our Victoria Island office, Monday to Friday, 9am to 4pm.",
    "We never charge candidates any fee, and we will never ask for your passport before an offer.",
    "Salary N250,000 monthly with pension and health insurance.",
    "Licensed by the Federal Ministry of Labour and Employment, licence number PEA/2024/017.",
    "Urgent: sales representatives needed in Abuja; OND minimum and a driver's licence.",
    "For enquiries send a WhatsApp message or call our office line, or visit us in Yaba.",
    "Graduate trainee programme: first-class or second-class upper degree, NYSC completed.",
    "The role is based in Dubai for an engineering firm; five years of experience in HVAC required.",
    "Teachers for a private school in Ibadan; B.Ed and TRCN certificate required.",
    "Drivers wanted for a logistics company in Kano; valid licence and guarantor needed.",
    "Housekeeping staff for a hotel in Port Harcourt, day shifts, salary paid into your own account.",
    "Scholarship for master's study in Germany through DAAD; apply on the official portal.",
    "Software developers, remote, Python and Django experience of three years or more.",
    "Travel allowance and accommodation are provided for staff posted to field offices in Nigeria.",
    "Security guards, Lagos; training provided, salary N90,000 and overtime paid.",
    "Customer care agents; good English, computer skills, shifts in Lekki.",
    "Chefs for an Abuja restaurant with a culinary certificate and two years of experience.",
    "Agricultural extension officers in Benue; BSc Agriculture required.",
    "Visa support for conference speakers is handled by the organisers after acceptance.",
    "Domestic staff placed only through our licensed office with a written contract you keep.",
    "Hospitality graduates for a hotel chain in Accra; work permits handled by HR after hire.",
    "Pay is monthly by bank transfer; you keep your own documents at all times.",
    "Apply before 30 June; only shortlisted candidates will be contacted by email.",
    "Laboratory scientists for a diagnostic centre in Enugu; MLSCN licence required.",
    "Electricians needed for a solar company in Kaduna; trade test certificate required.",
    "Oga for our Aba office dey find sales boys; you must get experience and guarantor.",
    "We dey employ drivers for Lagos; bring your licence come office, we no dey collect money.",
    "Construction workers for a Qatar project through a licensed agency; employer pays all recruitment costs under the ILO fair recruitment principles and you keep your passport.",
    "Interns for a bank in Lagos; stipend N60,000; apply online.",
    "Data analysts, hybrid, Abuja; SQL and Excel required.",
    "Our recruitment fair holds at the Lagos Chamber of Commerce; bring printed CVs.",
]


def _offer(rng: random.Random, label: int) -> str:
    if label == 0:
        return " ".join(rng.sample(LEGIT, rng.randint(2, 4)))
    if rng.random() < 0.12:
        return " ".join([rng.choice(SUBTLE), rng.choice(LEGIT[:2] + SUBTLE)])
    pool = DECEPTIVE_PCM if rng.random() < 0.4 else DECEPTIVE_EN
    parts = rng.sample(pool, rng.randint(1, 3))
    if rng.random() < 0.3:  # some come dressed as honest adverts
        parts.append(rng.choice(LEGIT))
    rng.shuffle(parts)
    return " ".join(parts)


def build(count: int = 440) -> list[dict[str, object]]:
    """`count` offers, half deceptive, in a fixed order."""
    rng = random.Random(SEED)
    labels = [1] * (count // 2) + [0] * (count - count // 2)
    rng.shuffle(labels)
    seen: set[str] = set()
    rows = []
    for label in labels:
        text = _offer(rng, label)
        while text in seen:
            text = _offer(rng, label)
        seen.add(text)
        language = "pcm" if any(p in text for p in DECEPTIVE_PCM + LEGIT[28:30]) else "en"
        rows.append({"text": text, "deceptive": label, "language": language})
    return rows


if __name__ == "__main__":
    OUT.parent.mkdir(exist_ok=True)
    with OUT.open("w", encoding="utf-8") as out:
        for row in build():
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {OUT}")
