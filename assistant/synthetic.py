"""Make a synthetic corpus N times the size of the real one, for measuring how the assistant scales.

Each synthetic document recombines and perturbs the real document's initiatives as another bureau
might write them: another region and year, reworded titles, swapped vocabulary, shifted figures,
clauses recombined across sentences and sentences borrowed from other initiatives, so that most of
its sentences are new text (a build embeds them; nothing is saved by repeated text). Each comes with its own contact table whose numbers are
plainly fake (``000-NNN-NNNN``: no Japanese number starts with 000) and which lives only in the
synthetic corpus's folder, never in the project's corpus.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from assistant.corpus import Document, Initiative, load_document
from assistant.directory import OWN_SUFFIX, match_title

REGIONS = [
    ("北海道", "札幌"), ("東北", "仙台"), ("関東", "さいたま"), ("中部", "名古屋"), ("北陸", "金沢"),
    ("中国", "広島"), ("四国", "高松"), ("九州", "福岡"), ("沖縄", "那覇"),
]
# Pairs of words a bureau might use for the same thing; each document swaps a random two thirds of them.
REWORDINGS = [
    ("支援", "後押し"), ("推進", "促進"), ("企業", "事業者"), ("取組", "施策"), ("構築", "整備"),
    ("強化", "拡充"), ("実施", "展開"), ("開催", "実施"), ("連携", "協働"), ("創出", "創造"),
    ("中小企業", "小規模事業者"), ("地域", "域内"), ("人材", "担い手"), ("向上", "底上げ"),
    ("活用", "利用"), ("形成", "構築"), ("検討", "議論"), ("提供", "供給"), ("情報", "知見"),
    ("機会", "場"), ("海外", "国外"), ("課題", "論点"), ("目指す", "目標とする"), ("導入", "採用"),
    ("産業", "業界"), ("製品", "プロダクト"), ("市場", "マーケット"), ("拡大", "伸長"), ("参加", "参画"),
    ("開発", "研究開発"), ("万博", "博覧会"), ("経営", "マネジメント"), ("実現", "達成"), ("社会", "世の中"),
    ("技術", "テクノロジー"), ("事業", "ビジネス"), ("促進", "加速"), ("育成", "養成"), ("確保", "獲得"),
]
TITLE_PREFIXES = ["", "次世代の", "広域での", "戦略的な", "持続可能な", "デジタル時代の", "新たな"]
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class SyntheticCorpus:
    """What was written: the folder, its documents and how many initiatives they hold."""

    folder: Path
    documents: int
    initiatives: int


def _shift_numbers(text: str, rng: random.Random) -> str:
    """Figures move the way next year's would: by -30 % to +60 %, same precision."""
    def shift(m: re.Match[str]) -> str:
        s = m.group(0)
        value = float(s) * rng.uniform(0.7, 1.6)
        if "." in s:
            return f"{value:.{len(s.split('.')[1])}f}"
        return str(max(1, round(value)))

    return _NUMBER_RE.sub(shift, text)


class _Perturber:
    """One synthetic bureau's way of writing: its region, city and word choices."""

    def __init__(self, rng: random.Random, region: str, city: str) -> None:
        self.rng = rng
        self.region = region
        self.city = city
        self.leads = [f"{region}では", "本年度は", "引き続き", f"{city}を中心に", "関係機関と連携し",
                      f"{region}の実情を踏まえ", "前年度の成果を踏まえ", "域内の自治体とともに"]
        self.swaps = [pair if rng.random() < 0.5 else pair[::-1] for pair in rng.sample(REWORDINGS, 2 * len(REWORDINGS) // 3)]

    def recombine(self, line: str, clauses: list[str]) -> str:
        """Swap one clause of a multi-clause sentence for a clause of another sentence of the document."""
        parts = line.split("、")
        if len(parts) < 2 and len(line) > 20 and line[:1] not in "•◆⚫➢■・※" and self.rng.random() < 0.7:
            lead = self.rng.choice(self.leads)  # a sentence of one clause gets a lead-in of this bureau's
            return f"{lead}、{line}"
        if len(parts) < 2 or not clauses or self.rng.random() < 0.25:
            return line
        parts[self.rng.randrange(len(parts) - 1)] = self.rng.choice(clauses)  # keep the sentence's ending
        return "、".join(parts)

    def text(self, line: str) -> str:
        t = line.replace("関西", self.region).replace("近畿", self.region).replace("大阪", self.city)
        t = t.replace("兵庫", f"{self.region}西部").replace("京都", f"{self.region}北部")
        for a, b in self.swaps:
            t = t.replace(a, b)
        return _shift_numbers(t, self.rng) if self.rng.random() < 0.8 else t


def _contact_rows(real_contacts: dict, titles: list[str]) -> list[tuple[str, str, list[str]]]:
    """(department, division, real initiative titles) of each office in the real contact table."""
    rows = []
    for row in real_contacts["offices"]:
        mapped = [t for n in row["initiatives"] if (t := match_title(n, titles))]
        rows.append((row["department"], row["division"], mapped))
    return rows


def _write_document(k: int, doc: Document, rows: list[tuple[str, str, list[str]]], folder: Path,
                    rng: random.Random) -> int:
    region, city = REGIONS[k % len(REGIONS)]
    year = 7 + rng.randint(0, 3)
    p = _Perturber(rng, region, city)
    initiatives: list[Initiative] = doc.initiatives()
    chosen = [i for i in initiatives if rng.random() < 0.9] or initiatives[:1]
    rng.shuffle(chosen)
    donor_lines = [p.text(line.text) for i in initiatives for s in i.sections for line in s.lines
                   if len(line.text) > 20]
    # Leading clauses of the document's sentences, to recombine sentences the way a new text would.
    clauses = [c for i in initiatives for s in i.sections for line in s.lines
               for c in line.text.split("、")[:-1] if 4 <= len(c) <= 40]
    new_titles: dict[str, str] = {}
    out = [f"# 令和{year}年度 {region}経済産業局の重点施策（合成データ No.{k:03d}）", "",
           f"{region}地域の産業の将来像と、本年度に重点的に取り組む施策をまとめた（性能測定用の合成文書）。", ""]
    for n, initiative in enumerate(chosen, 1):
        title = f"{rng.choice(TITLE_PREFIXES)}{p.text(initiative.title)}（{region}・No.{k:03d}-{n:02d}）"
        new_titles[initiative.title] = title
        out += [f"## {title}", ""]
        for s in initiative.sections:
            if s.kind == "reference":
                out += [f"### {p.text(s.title)}", ""]
            lines = [p.text(p.recombine(line.text, clauses)) for line in s.lines]
            if len(lines) > 3 and rng.random() < 0.5:  # the same points, in another order
                head, tail = lines[:1], lines[1:]
                rng.shuffle(tail)
                lines = head + tail
            if donor_lines and rng.random() < 0.4:  # a sentence borrowed from another initiative
                lines.insert(rng.randint(0, len(lines)), rng.choice(donor_lines))
            for line in lines:
                out += [f"- {line}" if line[:1] in "•◆⚫➢■・" else line, ""]
    offices = []
    out += ["## 問合せ先", "", "| 部 | 課 | 電話 | 担当施策 |", "|---|---|---|---|"]
    for n, (department, division, served) in enumerate(rows, 1):
        titles = [new_titles[t] for t in served if t in new_titles]
        if not titles:
            continue
        phone = f"000-{k:03d}-{n:04d}"
        name = f"{division}（合成{k:03d}）"
        offices.append({"department": department, "division": name, "phone": phone, "initiatives": titles})
        out.append(f"| {department} | {name} | {phone} | {'、'.join(titles)} |")
    stem = f"synthetic-{k:03d}"
    (folder / f"{stem}.md").write_text("\n".join(out) + "\n", "utf-8")
    source = "Synthetic contact table for performance tests; the numbers are fake (000-...)."
    (folder / f"{stem}{OWN_SUFFIX}").write_text(
        json.dumps({"source": source, "offices": offices}, ensure_ascii=False, indent=1), "utf-8")
    return len(chosen)


def _clear(folder: Path, real_names: set[str]) -> None:
    """Empty a folder this module wrote before; refuse one holding anything else."""
    folder.mkdir(parents=True, exist_ok=True)
    ours = real_names | {"contacts.json", "glossary.json"}
    entries = list(folder.iterdir())
    strangers = [p.name for p in entries if not (p.is_file() and (p.name in ours or re.fullmatch(
        r"synthetic-\d{3}(\.md|\.contacts\.json)", p.name)))]
    if strangers:
        raise ValueError(f"{folder} holds other files ({', '.join(sorted(strangers)[:3])}…); "
                         "give an empty or new folder")
    for p in entries:
        p.unlink()


def make_corpus(real_corpus: Path, folder: Path, factor: int, seed: int = 7) -> SyntheticCorpus:
    """Write the real corpus plus ``factor - 1`` synthetic documents into ``folder`` (new, or written here before)."""
    if factor < 1:
        raise ValueError("factor must be at least 1")
    real = sorted(real_corpus.glob("*.txt"))
    if not real:
        raise FileNotFoundError(f"no .txt source document in {real_corpus}")
    if folder.resolve() == real_corpus.resolve():
        raise ValueError("write the synthetic corpus to a folder of its own, never into the real corpus")
    _clear(folder, {p.name for p in real})
    for name in [p.name for p in real] + ["contacts.json", "glossary.json"]:
        if (real_corpus / name).exists():
            shutil.copy(real_corpus / name, folder / name)
    doc = load_document(real[0])
    titles = [i.title for i in doc.initiatives()]
    rows = _contact_rows(json.loads((real_corpus / "contacts.json").read_text("utf-8")), titles)
    rng = random.Random(seed)
    count = len(titles)
    for k in range(1, factor):
        count += _write_document(k, doc, rows, folder, rng)
    return SyntheticCorpus(folder, factor, count)
