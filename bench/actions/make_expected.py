#!/usr/bin/env python3
"""Computes the expected plans of the action-plan suite (dev.jsonl, test.jsonl) from the raw data.

Usage: python3 bench/actions/make_expected.py DATA [--check]

DATA is the evaluation data folder (enron/maildir, enron/index/messages.jsonl, notes/). Each item
below is written with symbolic references ("the N latest from <name>", "this message" = inbox file
number, a note by title, a time phrase); this script resolves them against the raw RFC 822 files,
independently of the assistant, and writes literal values. With --check it only compares the
result with the files already written.

Resolution rules (the suite's contract):
- a person named in words fits an address when every word is a prefix of a word of one of the
  display names ever seen with that address (From/X-From, To/Cc/Bcc/Reply-To and, paired by
  position, X-To/X-cc) or of the address's local part; a name must fit exactly one address (an
  item expecting `ambiguous` must fit several even without the X-To/X-cc names, `not_found` none);
- "the N latest from P": the N messages with the greatest Date whose From is P's address
  (Message-IDs counted once); refused here if a Date ties within the first N+1;
- times are local, relative to NOW (a Friday).
"""
import collections
import datetime as dt
import email
import email.policy
import email.utils
import json
import os
import re
import sys
from email.parser import BytesParser

HERE = os.path.dirname(os.path.abspath(__file__))
NOW = dt.datetime(2001, 6, 1, 8, 0)
VAULTS = {"dev": "foam-docs", "test": "jbranchaud-til"}
SENDS = {"reply", "forward"}
FIELD_ORDER = ["kind", "query", "message_ids", "note", "to", "subject", "folder", "label", "title", "text", "when"]
FREE_TEXT = {"query", "text", "title", "folder", "label", "subject"}


# ---------------------------------------------------------------- mail
def _hv(msg, name):
    return [re.sub(r"\s+", " ", str(v)).strip() for v in (msg.get_all(name) or [])]


def _x_entries(value):
    if "<" in value:
        return [e.split("<")[0].strip().strip('"').strip() for e in re.findall(r"[^<,][^<]*<[^>]*>", value)]
    return [e.strip() for e in value.split(",") if e.strip()]


class Mailbox:
    def __init__(self, data, name):
        self.name = name
        self.narrow = collections.defaultdict(set)  # address -> names (RFC names, X-From)
        self.wide = collections.defaultdict(set)  # + X-To/X-cc names paired by position
        self.by_file, self.sent = {}, collections.defaultdict(dict)
        folder = os.path.join(data, "enron", "maildir", name, "inbox")
        for f in sorted(os.listdir(folder), key=int):
            with open(os.path.join(folder, f), "rb") as fh:
                m = BytesParser(policy=email.policy.compat32).parsebytes(fh.read(), headersonly=True)
            for role, xrole in (("From", "X-From"), ("To", "X-To"), ("Cc", "X-cc"), ("Bcc", "X-bcc"), ("Reply-To", None)):
                addrs = [(n, a.strip().lower()) for n, a in email.utils.getaddresses(_hv(m, role)) if a.strip() or n]
                for n, a in addrs:
                    self.narrow[a].add(n)
                    self.wide[a].add(n)
                xs = _hv(m, xrole) if xrole else []
                if role == "From" and addrs:
                    for x in xs:
                        self.wide[addrs[0][1]].add(x)
                        name = x.split("<")[0].strip().strip('"').strip()
                        if "@" not in name:  # what a reader keeps of X-From (no address-like names)
                            self.narrow[addrs[0][1]].add(name)
                elif xs and len(_x_entries(xs[0])) == len(addrs):
                    for e, (_, a) in zip(_x_entries(xs[0]), addrs):
                        self.wide[a].add(e)
            mid = _hv(m, "Message-ID")[0].strip("<>")
            date = email.utils.parsedate_to_datetime(re.sub(r"\s*\(.*\)$", "", _hv(m, "Date")[0]))
            sender = email.utils.getaddresses(_hv(m, "From"))[0][1].strip().lower()
            self.by_file[f] = (mid, date, sender, (_hv(m, "Subject") or [""])[0])
            self.sent[sender].setdefault(mid, date)

    @staticmethod
    def _tokens(s):
        return [t.lower() for t in re.split(r"[^\w]+|_", s) if t]

    def _fitting(self, table, who):
        words = who.lower().split()
        out = []
        for address, names in table.items():
            if not address:
                continue
            toks = self._tokens(address.split("@")[0])
            for n in names:
                toks += self._tokens(n)
            if all(any(t.startswith(w) for t in toks) for w in words):
                out.append(address)
        return sorted(out)

    def resolve(self, who):
        """An address, or "ambiguous" / "not_found"; raises when the name is borderline."""
        if "@" in who:
            return who.lower()
        narrow, wide = self._fitting(self.narrow, who), self._fitting(self.wide, who)
        if len(wide) == 1 and narrow == wide:
            return wide[0]
        if len(narrow) >= 2:
            return "ambiguous"
        if not wide:
            return "not_found"
        raise ValueError(f"{self.name}: {who!r} is borderline: narrow {narrow}, wide {wide}")

    def latest(self, who, n):
        address = self.resolve(who)
        if address in ("ambiguous", "not_found"):
            raise ValueError(f"{self.name}: {who!r} is {address}")
        mine = sorted(self.sent[address].items(), key=lambda kv: kv[1], reverse=True)
        if len(mine) < n:
            raise ValueError(f"{self.name}: {who!r} sent only {len(mine)}")
        dates = [d for _, d in mine[:n + 1]]
        if len(set(dates)) != len(dates):
            raise ValueError(f"{self.name}: {who!r}: a Date ties within the first {n + 1}")
        return [mid for mid, _ in mine[:n]]


# ---------------------------------------------------------------- notes
def note_title(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[0].strip() == "---":
        for line in lines[1:]:
            if line.strip() == "---":
                break
            m = re.match(r"title:\s*(.*)$", line)
            if m:
                return m.group(1).strip().strip("\"'")
    fence = None
    for line in lines:
        s = line.strip()
        m = re.match(r"(`{3,}|~{3,})", s)
        if m:
            if fence is None:
                fence = m.group(1)[0]
            elif s.startswith(fence * 3):
                fence = None
            continue
        if fence is None and line.startswith("# "):
            return line[2:].strip()
    return os.path.splitext(os.path.basename(path))[0]


def vault_titles(root):
    titles = collections.defaultdict(list)
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith(".md"):
                p = os.path.join(d, f)
                titles[note_title(p).lower()].append(os.path.relpath(p, root).replace(os.sep, "/"))
    return titles


# ---------------------------------------------------------------- time
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december"]


def _clock(s):
    m = re.fullmatch(r"(\d{1,2})(?::(\d\d))?\s*(am|pm)", s)
    h = int(m.group(1)) % 12 + (12 if m.group(3) == "pm" else 0)
    return h, int(m.group(2) or 0)


def when(phrase):
    p = phrase.lower().strip()
    day = NOW.date()
    if p == "tonight":
        return dt.datetime.combine(day, dt.time(20, 0))
    if p == "tomorrow":
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(9, 0))
    m = re.fullmatch(r"in (\d+) (hour|minute|day)s?", p)
    if m:
        return NOW + dt.timedelta(**{m.group(2) + "s": int(m.group(1))})
    m = re.fullmatch(r"(?:(tomorrow) |on (\w+) |on (\w+) (\d{1,2}) )?at (.+)", p)
    if not m:
        raise ValueError(f"time phrase {phrase!r}")
    if m.group(1):
        day += dt.timedelta(days=1)
    elif m.group(2):
        ahead = (WEEKDAYS.index(m.group(2)) - NOW.weekday()) % 7
        day += dt.timedelta(days=ahead or 7)
    elif m.group(3):
        day = dt.date(NOW.year, MONTHS.index(m.group(3)) + 1, int(m.group(4)))
    h, mi = _clock(m.group(5))
    return dt.datetime.combine(day, dt.time(h, mi))


# ---------------------------------------------------------------- items
def L(who, n=1):
    return ("latest", who, n)


THIS, PREV = ("this",), ("prev",)


def S(kind, **kw):
    return (kind, kw)


DEV = [
    # nemec-g
    ("nemec-g", "Forward the latest email from Debra Perlingiere to keegan.farrell@enron.com", None,
     [S("forward", ids=L("Debra Perlingiere"), to=["keegan.farrell@enron.com"])]),
    ("nemec-g", "Summarize the 3 most recent emails from Judy Thorne", None, [S("summarize", ids=L("Judy Thorne", 3))]),
    ("nemec-g", "Archive the last email from Keegan", None, [S("archive", ids=L("Keegan"))]),
    ("nemec-g", "Move the latest email from Rakhi Israni to the folder Legal", None,
     [S("move", ids=L("Rakhi Israni"), folder="Legal")]),
    ("nemec-g", "Label the 2 latest emails from Stuart Zisman as Bridgeline", None,
     [S("label", ids=L("Stuart Zisman", 2), label="Bridgeline")]),
    ("nemec-g", "Flag the latest email from Wallumrod", None, [S("flag", ids=L("Wallumrod"))]),
    ("nemec-g", "Mark the 3 most recent emails from Stacey Richardson as read", None,
     [S("mark_read", ids=L("Stacey Richardson", 3))]),
    ("nemec-g", "Find emails about Atmos Energy", None, [S("search", query="Atmos Energy")]),
    ("nemec-g", "Create a note called Bridgeline ROW saying check the Crawfish easement with Rakhi", None,
     [S("create_note", title="Bridgeline ROW", text="check the Crawfish easement with Rakhi")]),
    ("nemec-g", "Draft a reply to this saying I will send the revised agreement on Monday", "1670",
     [S("draft_reply", ids=THIS, text="I will send the revised agreement on Monday")]),
    ("nemec-g", "Forward the latest email from Mark Knippa to Stephanie Miller and archive it", None,
     [S("forward", ids=L("Mark Knippa"), to=["Stephanie Miller"]), S("archive", ids=PREV)]),
    ("nemec-g", "Remind me to call Stuart Zisman tomorrow at 9am", None,
     [S("remind", text="call Stuart Zisman", when="tomorrow at 9am")]),
    ("nemec-g", "Delete the latest email from Judy Thorne", None, "unsupported"),
    ("nemec-g", "Open the last email from Chris Hilgert", None, [S("open", ids=L("Chris Hilgert"))]),
    ("nemec-g", "Open the latest email from Marie Heard and draft a reply saying I have the signed assignments", None,
     [S("open", ids=L("Marie Heard")), S("draft_reply", ids=PREV, text="I have the signed assignments")]),
    # lay-k
    ("lay-k", "Summarize the latest email from Karen Denne", None, [S("summarize", ids=L("Karen Denne"))]),
    ("lay-k", "Send the latest email from Paula Rieker on to joannie.williamson@enron.com", None,
     [S("forward", ids=L("Paula Rieker"), to=["joannie.williamson@enron.com"])]),
    ("lay-k", "Pass along the 2 most recent emails from Susan Varga to Karen Denne", None,
     [S("forward", ids=L("Susan Varga", 2), to=["Karen Denne"])]),
    ("lay-k", "File away the 3 latest emails from Donna Brock", None, [S("archive", ids=L("Donna Brock", 3))]),
    ("lay-k", "Reply to this saying thank you for your kind words", "933",
     [S("reply", ids=THIS, text="thank you for your kind words")]),
    ("lay-k", "Mark the latest email from Lynda Phinney as read", None, [S("mark_read", ids=L("Lynda Phinney"))]),
    ("lay-k", "Search for Kudlow conference call", None, [S("search", query="Kudlow conference call")]),
    ("lay-k", "Remind me to review the board presentation on Monday at 10am", None,
     [S("remind", text="review the board presentation", when="on Monday at 10am")]),
    ("lay-k", "Email karen.denne@enron.com with subject Press release saying please send me the final version", None,
     [S("compose", to=["karen.denne@enron.com"], subject="Press release", text="please send me the final version")]),
    ("lay-k", "Summarize the 2 latest emails from Gil Cisneros and flag them", None,
     [S("summarize", ids=L("Gil Cisneros", 2)), S("flag", ids=PREV)]),
    ("lay-k", "Book a flight to Washington for Monday", None, "unsupported"),
    ("lay-k", "Label this email as Family", "1090", [S("label", ids=THIS, label="Family")]),
    ("lay-k", "Open the note Daily Notes", None, [S("open", note="Daily Notes")]),
    ("lay-k", "Draft a reply to the latest email from Joannie saying I will attend the meeting", None,
     [S("draft_reply", ids=L("Joannie"), text="I will attend the meeting")]),
    ("lay-k", "Mark the 2 latest emails from Marilou Schopper as read and move them to the folder Houston", None,
     [S("mark_read", ids=L("Marilou Schopper", 2)), S("move", ids=PREV, folder="Houston")]),
    ("lay-k", "Translate the latest email from Susan Varga into Spanish", None, "unsupported"),
    # jones-t
    ("jones-t", "Forward the latest email from Amber Ebow to sara.shackleton@enron.com", None,
     [S("forward", ids=L("Amber Ebow"), to=["sara.shackleton@enron.com"])]),
    ("jones-t", "Archive the 2 most recent emails from Wendi Lebrocq", None, [S("archive", ids=L("Wendi Lebrocq", 2))]),
    ("jones-t", "Move this to the folder Netting", "1055", [S("move", ids=THIS, folder="Netting")]),
    ("jones-t", "Flag the 2 latest emails from Stephanie Panus", None, [S("flag", ids=L("Stephanie Panus", 2))]),
    ("jones-t", "Summarize the last email from Mary Cook", None, [S("summarize", ids=L("Mary Cook"))]),
    ("jones-t", "Tag the latest email from Samantha Boyd with Barclays", None,
     [S("label", ids=L("Samantha Boyd"), label="Barclays")]),
    ("jones-t", "Reply to the latest email from Holly Keiser saying thanks, I will take a look", None,
     [S("reply", ids=L("Holly Keiser"), text="thanks, I will take a look")]),
    ("jones-t", "Add to the note Inbox: call Leslie Hansen about the power audit", None,
     [S("append_note", note="Inbox", text="call Leslie Hansen about the power audit")]),
    ("jones-t", "Forward the latest email from Marie Heard to Mary Cook and file it away", None,
     [S("forward", ids=L("Marie Heard"), to=["Mary Cook"]), S("archive", ids=PREV)]),
    ("jones-t", "Open the latest email from Mark Greenberg", None, ("ambiguous", "Mark Greenberg")),
    ("jones-t", "Remind me to send the ISDA drafts at 5pm", None,
     [S("remind", text="send the ISDA drafts", when="at 5pm")]),
    ("jones-t", "Change my email password", None, "unsupported"),
    ("jones-t", "Create a note called EOL approvals", None, [S("create_note", title="EOL approvals")]),
    # kaminski-v
    ("kaminski-v", "Summarize the 2 latest emails from vkaminski@aol.com", None,
     [S("summarize", ids=L("vkaminski@aol.com", 2))]),
    ("kaminski-v", "Open the latest email from Praveen Kumar", None, [S("open", ids=L("Praveen Kumar"))]),
    ("kaminski-v", "Forward the latest email from Luigi to vkaminski@aol.com", None,
     [S("forward", ids=L("Luigi"), to=["vkaminski@aol.com"])]),
    ("kaminski-v", "Archive the 3 most recent emails from webmaster@cera.com", None,
     [S("archive", ids=L("webmaster@cera.com", 3))]),
    ("kaminski-v", "Mark the last email from Kerridge as read", None, [S("mark_read", ids=L("Kerridge"))]),
    ("kaminski-v", "Draft a reply to this", "17", [S("draft_reply", ids=THIS)]),
    ("kaminski-v", "Remind me to follow up on this tonight", "400",
     [S("remind", ids=THIS, text="follow up on this", when="tonight")]),
    ("kaminski-v", "Summarize the latest email from Shirley Crenshaw", None, ("ambiguous", "Shirley Crenshaw")),
    ("kaminski-v", "Forward the latest email from Natasha Quigley to vkaminski@aol.com", None,
     ("not_found", "Natasha Quigley")),
    ("kaminski-v", "Search my mail for EPRM 2002", None, [S("search", query="EPRM 2002")]),
    ("kaminski-v", "Summarize the note Wikilinks", None, [S("summarize", note="Wikilinks")]),
    ("kaminski-v", "Write an email to shirley.crenshaw@enron.com saying I will be at Baylor on Thursday", None,
     [S("compose", to=["shirley.crenshaw@enron.com"], text="I will be at Baylor on Thursday")]),
    ("kaminski-v", "Move the latest email from Praveen Kumar into the Seminars folder", None,
     [S("move", ids=L("Praveen Kumar"), folder="Seminars")]),
    ("kaminski-v", "Reply to this saying I can meet on Monday and archive it", "627",
     [S("reply", ids=THIS, text="I can meet on Monday"), S("archive", ids=PREV)]),
    ("kaminski-v", "Add a line to the note Daily Notes saying ask Zimin about the storage model", None,
     [S("append_note", note="Daily Notes", text="ask Zimin about the storage model")]),
    ("kaminski-v", "Print the latest email from webmaster@cera.com", None, "unsupported"),
    ("kaminski-v", "Remind me to book the Rice Energy Club room tomorrow", None,
     [S("remind", text="book the Rice Energy Club room", when="tomorrow")]),
    # Second round (written later, for the variety of ways people phrase the same requests:
    # possessives, word numbers, synonyms, polite forms, the time first, questions).
    ("nemec-g", "Send Judy Thorne's latest email to Mary Cook", None,
     [S("forward", ids=L("Judy Thorne"), to=["Mary Cook"])]),
    ("nemec-g", "Star the newest email from Mary Ogden", None, [S("flag", ids=L("Mary Ogden"))]),
    ("nemec-g", "File the latest email from Lisa Druzbik under Contracts", None,
     [S("move", ids=L("Lisa Druzbik"), folder="Contracts")]),
    ("nemec-g", "Catch me up on the 2 latest emails from Stephanie Miller", None,
     [S("summarize", ids=L("Stephanie Miller", 2))]),
    ("nemec-g", "Jot down a note called Katz retainer saying ask Bill about the invoice", None,
     [S("create_note", title="Katz retainer", text="ask Bill about the invoice")]),
    ("nemec-g", "Remind me in 45 minutes to call Rakhi", None, [S("remind", text="call Rakhi", when="in 45 minutes")]),
    ("nemec-g", "Please flag the two most recent messages from Keegan Farrell", None,
     [S("flag", ids=L("Keegan Farrell", 2))]),
    ("nemec-g", "Reply to Debra Perlingiere's latest email saying the draft looks good", None,
     [S("reply", ids=L("Debra Perlingiere"), text="the draft looks good")]),
    ("nemec-g", "Mark this as read and archive it", "1670", [S("mark_read", ids=THIS), S("archive", ids=PREV)]),
    ("lay-k", "Could you forward the newest email from Karen Denne to paula.rieker@enron.com?", None,
     [S("forward", ids=L("Karen Denne"), to=["paula.rieker@enron.com"])]),
    ("lay-k", "Label Donna Brock's 2 latest emails as Howard", None,
     [S("label", ids=L("Donna Brock", 2), label="Howard")]),
    ("lay-k", "Summarise the latest message from Terrie James", None, [S("summarize", ids=L("Terrie James"))]),
    ("lay-k", "Open Paula Rieker's most recent email", None, [S("open", ids=L("Paula Rieker"))]),
    ("lay-k", "Append to my note Inbox: thank Beau for the photos", None,
     [S("append_note", note="Inbox", text="thank Beau for the photos")]),
    ("lay-k", "Move the newest email from Greg Piper to HR", None, [S("move", ids=L("Greg Piper"), folder="HR")]),
    ("lay-k", "Remind me on Monday at 8am to call Mark Koenig", None,
     [S("remind", text="call Mark Koenig", when="on Monday at 8am")]),
    ("lay-k", "Draft an answer to this saying I would be glad to speak at the dinner", "1090",
     [S("draft_reply", ids=THIS, text="I would be glad to speak at the dinner")]),
    ("lay-k", "Write to joannie.williamson@enron.com saying please move my 3pm to Thursday", None,
     [S("compose", to=["joannie.williamson@enron.com"], text="please move my 3pm to Thursday")]),
    ("lay-k", "Look for emails about United Way", None, [S("search", query="United Way")]),
    ("jones-t", "Fwd the last email from Georgi Landau to Mary Cook", None,
     [S("forward", ids=L("Georgi Landau"), to=["Mary Cook"])]),
    ("jones-t", "Mark Leslie Hansen's latest email as read", None, [S("mark_read", ids=L("Leslie Hansen"))]),
    ("jones-t", "Tag the 3 most recent emails from Stephanie Sever as ISDA", None,
     [S("label", ids=L("Stephanie Sever", 3), label="ISDA")]),
    ("jones-t", "Create a new note named Netting agreements", None, [S("create_note", title="Netting agreements")]),
    ("jones-t", "Respond to the latest email from Lance Jameson saying I'll call you tomorrow", None,
     [S("reply", ids=L("Lance Jameson"), text="I'll call you tomorrow")]),
    ("jones-t", "Give me a quick summary of this email", "1055", [S("summarize", ids=THIS)]),
    ("jones-t", "Search for Brazil ISDA", None, [S("search", query="Brazil ISDA")]),
    ("jones-t", "Archive the newest message from Bob Shults", None, [S("archive", ids=L("Bob Shults"))]),
    ("kaminski-v", "Forward Luigi's latest email to vkaminski@aol.com", None,
     [S("forward", ids=L("Luigi"), to=["vkaminski@aol.com"])]),
    ("kaminski-v", "Show me the latest email from Praveen Kumar", None, [S("open", ids=L("Praveen Kumar"))]),
    ("kaminski-v", "Add to my note Daily Notes: send Paulo the volatility curves", None,
     [S("append_note", note="Daily Notes", text="send Paulo the volatility curves")]),
    ("kaminski-v", "Put the 2 latest emails from webmaster@cera.com in a folder called CERA", None,
     [S("move", ids=L("webmaster@cera.com", 2), folder="CERA")]),
    ("kaminski-v", "Remind me in 2 days to call Praveen", None, [S("remind", text="call Praveen", when="in 2 days")]),
    ("kaminski-v", "Open my note Note Templates", None, [S("open", note="Note Templates")]),
    ("kaminski-v", "Sum up the 3 latest emails from arsystem@mailman.enron.com", None,
     [S("summarize", ids=L("arsystem@mailman.enron.com", 3))]),
    ("kaminski-v", "Draft a reply to the newest email from Kerridge saying let's meet at 3pm", None,
     [S("draft_reply", ids=L("Kerridge"), text="let's meet at 3pm")]),
    ("kaminski-v", "Cancel my subscription to Risk Waters", None, "unsupported"),
    ("kaminski-v", "Unsubscribe me from webmaster@cera.com", None, "unsupported"),
]

TEST = [
    # shackleton-s
    ("shackleton-s", "Send Louis Dicarlo's latest email over to Tana Jones", None,
     [S("forward", ids=L("Louis Dicarlo"), to=["Tana Jones"])]),
    ("shackleton-s", "Give me a summary of the 4 newest emails from Tanya Rohauer", None,
     [S("summarize", ids=L("Tanya Rohauer", 4))]),
    ("shackleton-s", "Put the last email from Alan Aronowitz in the Litigation folder", None,
     [S("move", ids=L("Alan Aronowitz"), folder="Litigation")]),
    ("shackleton-s", "Look up messages mentioning Lehman Brothers ISDA", None,
     [S("search", query="Lehman Brothers ISDA")]),
    ("shackleton-s", "Write back to this one saying I'll have comments by Friday", "1018",
     [S("reply", ids=THIS, text="I'll have comments by Friday")]),
    ("shackleton-s", "Prepare a draft answer to the newest email from Glover saying the confirms are attached", None,
     [S("draft_reply", ids=L("Glover"), text="the confirms are attached")]),
    ("shackleton-s", "Add the label Credit to the two most recent emails from Tom Doukas", None,
     [S("label", ids=L("Tom Doukas", 2), label="Credit")]),
    ("shackleton-s", "Remind me on June 12 at 3pm to renew the Lehman master agreement", None,
     [S("remind", text="renew the Lehman master agreement", when="on June 12 at 3pm")]),
    ("shackleton-s", "Permanently delete every email from Joanne Rozycki", None, "unsupported"),
    ("shackleton-s", "Forward the newest email from Brent Hendry to Clint Freeland and mark it as read", None,
     [S("forward", ids=L("Brent Hendry"), to=["Clint Freeland"]), S("mark_read", ids=PREV)]),
    ("shackleton-s", "Show me my note Resetting A Reset", None, [S("open", note="Resetting A Reset")]),
    # steffes-j
    ("steffes-j", "Give me the gist of the 2 newest emails from Harry Kingerski, then archive them", None,
     [S("summarize", ids=L("Harry Kingerski", 2)), S("archive", ids=PREV)]),
    ("steffes-j", "Open the last message from Wade Stubblefield", None, [S("open", ids=L("Wade Stubblefield"))]),
    ("steffes-j", "Forward Charles Yeung's 2 latest emails to richard.shapiro@enron.com", None,
     [S("forward", ids=L("Charles Yeung", 2), to=["richard.shapiro@enron.com"])]),
    ("steffes-j", "Sum up the most recent email from Jeff Dasovich", None, ("ambiguous", "Jeff Dasovich")),
    ("steffes-j", "Mark Ginger Dernehl's newest email as read", None, [S("mark_read", ids=L("Ginger Dernehl"))]),
    ("steffes-j", "Move the 3 newest emails from Jo Ann Scott into a folder named FERC", None,
     [S("move", ids=L("Jo Ann Scott", 3), folder="FERC")]),
    ("steffes-j", "Compose a message to janine.migden@enron.com, subject Ohio rates, saying can we talk this afternoon", None,
     [S("compose", to=["janine.migden@enron.com"], subject="Ohio rates", text="can we talk this afternoon")]),
    ("steffes-j", "Make a new note titled ISO New England saying ask Howard about the capacity market", None,
     [S("create_note", title="ISO New England", text="ask Howard about the capacity market")]),
    ("steffes-j", "Ping me in 2 hours to call Wade back", None, [S("remind", text="call Wade back", when="in 2 hours")]),
    ("steffes-j", "Order a pizza for the team", None, "unsupported"),
    ("steffes-j", "Draft a response to this saying we should file comments with FERC", "328",
     [S("draft_reply", ids=THIS, text="we should file comments with FERC")]),
    ("steffes-j", "Reply to the latest email from Howard Fromer saying agreed and flag it", None,
     [S("reply", ids=L("Howard Fromer"), text="agreed"), S("flag", ids=PREV)]),
    ("steffes-j", "In my note List Connections To A Database, add: check pg_stat_activity first", None,
     [S("append_note", note="List Connections To A Database", text="check pg_stat_activity first")]),
]


def build(split, items, mailboxes, titles):
    out = []
    for k, (mb, instruction, msg_file, plan) in enumerate(items, 1):
        box = mailboxes[mb]
        message = box.by_file[msg_file][0] if msg_file else None
        if plan == "unsupported":
            expect = {"error": "unsupported"}
        elif isinstance(plan, tuple):
            kind, who = plan
            got = box.resolve(who)
            if got != kind:
                raise ValueError(f"{instruction!r}: {who!r} resolves to {got}, not {kind}")
            if who not in instruction:
                raise ValueError(f"{instruction!r}: name not in the instruction")
            expect = {"error": kind}
        else:
            steps, prev = [], None
            for kind, kw in plan:
                step = {"kind": kind}
                for key, value in kw.items():
                    if key == "ids":
                        ids = {"this": lambda r: [message], "prev": lambda r: prev,
                               "latest": lambda r: box.latest(r[1], r[2])}[value[0]](value)
                        if not ids or None in ids:
                            raise ValueError(f"{instruction!r}: no message for {value}")
                        if value[0] == "latest" and value[1] not in instruction:
                            raise ValueError(f"{instruction!r}: {value[1]!r} not in the instruction")
                        step["message_ids"] = prev = ids
                    elif key == "to":
                        to = []
                        for who in value:
                            if who not in instruction:
                                raise ValueError(f"{instruction!r}: {who!r} not in the instruction")
                            address = box.resolve(who)
                            if "@" not in address:
                                raise ValueError(f"{instruction!r}: {who!r} is {address}")
                            to.append(address)
                        step["to"] = to
                    elif key == "note":
                        paths = titles[value.lower()]
                        if len(paths) != 1 or value not in instruction:
                            raise ValueError(f"{instruction!r}: note {value!r} -> {paths}")
                        step["note"] = paths[0]
                    elif key == "when":
                        if value not in instruction:
                            raise ValueError(f"{instruction!r}: {value!r} not in the instruction")
                        step["when"] = when(value).strftime("%Y-%m-%dT%H:%M")
                    elif key in FREE_TEXT:
                        if value not in instruction:
                            raise ValueError(f"{instruction!r}: {value!r} is not a span of the instruction")
                        step[key] = value
                    else:
                        raise ValueError(key)
                steps.append({f: step[f] for f in FIELD_ORDER if f in step})
            expect = {"actions": steps, "needs_confirmation": any(s["kind"] in SENDS for s in steps)}
        out.append({"id": f"{split}-{k:02d}", "mailbox": mb, "instruction": instruction, "message": message,
                    "expect": expect})
    return out


def cross_check(data, suites, mailboxes):
    """The selected message ids against the derived index: the same sender, and no newer one."""
    index = collections.defaultdict(dict)
    with open(os.path.join(data, "enron", "index", "messages.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            index[r["mailbox"]][r["message_id"].strip("<>")] = r
    for item in (i for s in suites for i in s):
        rows = index[item["mailbox"]]
        for step in item["expect"].get("actions", []):
            for mid in step.get("message_ids", []):
                if mid not in rows:
                    raise ValueError(f"{item['id']}: {mid} not in the index")
    for box in mailboxes.values():
        for address, mids in box.sent.items():
            for mid, date in mids.items():
                r = index[box.name][mid]
                if r["from"] != address or dt.datetime.fromisoformat(r["date"]) != date:
                    raise ValueError(f"{box.name}: {mid}: raw {address} {date} vs index {r['from']} {r['date']}")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        sys.exit(__doc__)
    data = args[0]
    wanted = {mb for items in (DEV, TEST) for mb, *_ in items}
    mailboxes = {mb: Mailbox(data, mb) for mb in sorted(wanted)}
    suites = {}
    for split, items in (("dev", DEV), ("test", TEST)):
        titles = vault_titles(os.path.join(data, "notes", VAULTS[split]))
        suites[split] = build(split, items, mailboxes, titles)
    cross_check(data, suites.values(), mailboxes)
    for split, items in suites.items():
        path = os.path.join(HERE, f"{split}.jsonl")
        text = "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items)
        if "--check" in sys.argv:
            with open(path) as f:
                same = f.read() == text
            print(f"{split}: {len(items)} items, {'same as' if same else 'DIFFERENT from'} {path}")
            if not same:
                sys.exit(1)
        else:
            with open(path, "w") as f:
                f.write(text)
            print(f"{split}: {len(items)} items -> {path}")


if __name__ == "__main__":
    main()
