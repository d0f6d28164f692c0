"""Every knob of the assistant in one typed object, overridable by ``KINKI_*`` environment variables."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ChromaMode(StrEnum):
    embedded = "embedded"
    server = "server"


class QuoteWeights(BaseModel):
    """How the composer weighs a sentence as a quote, beside its similarity to the question (chosen on
    dev: they keep fact recall 0.97 and every quote a whole sentence)."""

    quote_sim_asked: float = Field(0.5, description="Meaning: likeness of the sentence to the question as asked.")
    quote_sim_search: float = Field(0.5, description="Meaning: likeness to the question in the document's words "
                                    "(the glossary's reading of it).")
    quote_overlap: float = Field(0.8, description="The question's words in the sentence, weighed by rarity.")
    quote_expanded: float = Field(0.5, description="When a fact is asked, a word the glossary added for the asker's "
                                  "counts this much of a word they wrote: it names the topic, not the sentence holding the fact.")
    quote_fact: float = Field(0.8, description="Each asked kind of fact (a date for いつ, N社 for 何社) it holds.")
    quote_names_asked: float = Field(0.8, description="Names the rarest proper noun of the kind asked (どこの国 → "
                                     "ドイツ, not 関西, which half the sentences name).")
    quote_heading_list: float = Field(0.8, description="The list under a heading most of which the question names.")
    quote_count_list: float = Field(0.8, description="A count over labels (重点３分野) of what the question asks listed.")
    quote_kind_named: float = Field(0.8, description="Names one of the kind of thing asked for by its own name "
                                    "(どんな補助金がある？: IT導入補助金): the things asked for, as a fact holds a date.")
    quote_echo: float = Field(0.4, description="When a fact is asked, a sentence using the asking word itself "
                              "(主 催：… for 主催は？, 場 所：… for 場所): the slide's own label for what was asked.")
    quote_year: float = Field(0.4, description="A sentence or table row naming the year the question names "
                              "(2023年度 4回 … for 'in FY2023'): the row of that year among rows alike.")
    quote_year_beside: float = Field(
        0.5, description="The share of quote_year for an item whose year is a label the extraction wrote after its "
        "list (①… ②… 令和7年度): a guess from the layout, so a sentence naming the form asked (越境型) can still "
        "come before the second item.")
    quote_heading_named: float = Field(0.6, description="The share (by word rarity) of a list's heading the "
                                       "question must name for the list under it to answer (パートナー側のメリット "
                                       "for ＜パートナー側の共創メリット＞).")
    quote_number: float = Field(0.2, description="Any number, when a fact is asked for.")
    quote_sentence: float = Field(0.15, description="A whole sentence (ends with 。) over a diagram label.")
    quote_about: float = Field(0.5, description="A sentence on a slide about the thing whose meaning is asked "
                               "(（参考）「関西・共創の森」について for 'what is 関西・共創の森'): the slide defines "
                               "it, where the initiative's own slide only names it in 「」 (on dev: +1, no loss).")
    quote_brought: float = Field(0.8, description="Names what a follow-up brings that its topic's question lacks "
                                 "(アンモニア after hydrogen abroad), by rarity cubed: the line naming it answers "
                                 "(on dev: +3, no loss; not when a kind of fact is asked, which picks its own line).")
    quote_brought_chars: int = Field(3, description="Only words this long count as brought: names (アンモニア, ハンブ"
                                     "ルグ), not the two-character pieces a phrase splits into (つながりづくり → 作り, "
                                     "which quoted きっかけ作り); a place or organisation the slides name counts "
                                     "however short (播磨).")
    quote_glossed_help: float = Field(
        0.3, description="Where no fact is asked, names the help (by its name: IT導入補助金, 省エネ診断) that the "
        "glossary reads the asker's situation as (紙の伝票, 電気代): the help on offer for it, over a line about the "
        "initiative's aims that shares more of the story's words.")
    quote_named: float = Field(0.1, description="Names a programme, event or tool in 「」: help the asker can use.")
    quote_help: float = Field(0.25, description="Each kind of help an owner can take up that a sentence names "
                              "(a centre, a diagnosis, a seminar: glossary help_words), when no particular fact is asked.")
    quote_help_kinds: int = Field(2, description="Kinds of help counted in one sentence: a list of centres and "
                                  "desks names more help than one seminar, but a long list is not worth more.")
    quote_item: float = Field(0.3, description="A numbered item (⑴, ①, (1)): one of the measures a slide lists, "
                              "when the asker tells their situation.")
    quote_offer: float = Field(0.25, description="On a sentence ending saying something is done or offered (…支援を"
                               "実施, …を開催する: glossary offer_endings) when the question asks what help exists; as much "
                               "as one kind of help named (quote_help), since it says the same in other words.")
    quote_help_asked: float = Field(1.0, description="How much a question asking what help exists (「サイバー"
                                    "セキュリティの支援は？」, 'any support for…') weighs the help on offer, as a "
                                    "situation told wholly in the asker's words does, though its words are the document's.")
    quote_done_asked: float = Field(0.5, description="How much a question asking what something does as a whole "
                                    "(「経済安全保障ではどんなことをやってるの？」, 'tell me about…') weighs the help on offer: "
                                    "less than one asking for help, whose answer is the help itself, more than none.")
    quote_refers_back: float = Field(0.3, description="Off a sentence opening on 'the same …' (同イベントでは), which "
                                     "does not say what it is about, when the asker tells their situation; on it when the asker points at "
                                     "that very thing (このイベント).")
    quote_other_actor: float = Field(0.3, description="Off a measure addressed to a kind of actor (自治体, 金融機関) the "
                                     "asker does not say they are, when the asker tells their situation.")
    quote_own_actor: float = Field(0.3, description="On a measure addressed to the kind of actor the asker says they "
                                   "are (a bank asking, 金融機関による…), when the asker tells their situation.")
    quote_background: float = Field(0.15, description="Off a sentence of the slide's background (a shortage, a "
                                    "forecast, a share: glossary background_words) when the asker tells their situation.")
    quote_examples: float = Field(0.5, description="Likeness to the labelled examples of the initiative nearest "
                                  "to the question (how people ask about it), when no particular fact is asked.")
    quote_specific: float = Field(0.8, description="Share of the initiative's usual question (the centre of its "
                                  "examples) taken off the nearest examples before likeness is measured: the measure "
                                  "that fits this asker outranks help quoted for anyone.")
    quote_other_office: float = Field(0.3, description="Off a sentence naming another office's part of a shared "
                                      "initiative (its remit words) when the question is the first office's.")
    quote_run_rarity: float = Field(0.6, description="How rare (its weight over an unknown word's) a word of the "
                                    "asker's must be to name the bullets quoted together with a chosen one: "
                                    "サイバー (0.74) names a column's measures, 支援 (0.33) or 開催 (0.59) every list.")
    quote_topic_words: float = Field(0.25, description="Share a follow-up's topic words (those it was routed with, "
                                     "not its own) count in the overlap, when it asks something of its own (dev: "
                                     "0.5 +3 chain turns, 0.25 +4, 0 +4 but one word of its own then outweighs all).")
    quote_shown: float = Field(1.0, description="Off a sentence the last answer quoted, when the follow-up asks "
                               "for more of the same (他には？): the rest of a list, not its first items again.")
    quote_label: float = Field(0.5, description="Taken off a label under 6 characters or a link; for a situation "
                               "told in the asker's words, off any label too short to quote alone or labels side by side.")
    quote_diagram: float = Field(0.25, description="Taken off a line of a diagram's boxes for a situation, in place "
                                 "of quote_label: it is quoted as the whole diagram, labels with the boxes under them "
                                 "(アドバンスド ビギナー ターゲット層 … これから外国人雇用に取り組む企業), which reads but names no "
                                 "help (on dev: +1 at 0.25, +2 at 0 with a tier diagram quoted first for staff quitting).")
    quote_others_below: float = Field(
        0.5, description="A further initiative named beside the first is quoted only when the question is at least "
        "this much in the document's words for it (a fact may be there); for a situation in the asker's own words "
        "its quote read as part of the answer and misled (blind reading of 21 dev SME answers: preferred 18 vs 3); "
        "it is still offered by its office. Options of a clarifying question are always quoted.")


class TopicThresholds(BaseModel):
    """When a message carries on the conversation's topic (Conversation): chosen on the chains of dev and
    dev-voices."""

    turns: int = Field(3, ge=1, description="Earlier user turns replayed to find the current topic.")
    follow_up_max_chars: int = Field(40, description="A longer message carries its own topic, never a follow-up.")
    follow_up_max_chars_english: int = Field(
        90, description="The same limit for English, which spells a question in about twice the characters "
        "(「その展示会はどこ？」 / \"Which overseas trade show did they go to?\").")
    own_confidence: float = Field(0.9, description="A message routed this confidently on its own starts a new topic.")
    own_title_hit: float = Field(
        0.2, description="A message covering this much of an initiative's title (by word rarity) names that topic. "
        "An English name covers less than its Japanese twin, since its glosses add words the title lacks ('the "
        "circular economy' also reads 循環, 資源: 0.25 of the CE title); on the dev chains anything from 0.16 to "
        "0.25 loses nothing (0.15 takes the Expo's CE event for the GSE), 0.3 kept 'What about the circular "
        "economy?' on hydrogen.")
    covers: float = Field(
        0.8, description="A short message that would start a new topic stays on the current one when the "
        "current initiative's text uses this much of what it names (by word rarity).")
    own_lead: float = Field(
        2.0, description="A message whose own initiative scores this many times the current topic's starts a new "
        "topic, however many of its words the topic's slides also use (chosen on the chains of dev-d).")
    own_examples: float = Field(
        0.5, description="…provided at least this share of its nearest examples' vote is for that initiative "
        "(「どこの企業と？」 names a word of a title, but no one asks about that initiative that way).")
    option_lead: float = Field(
        2.0, description="A follow-up to a clarifying question picks the option whose slides use this many times "
        "the share of its words (by rarity) that each other option's use (「その３つの柱って？」: 0.76 against 0).")
    option_used: float = Field(
        0.35, description="…and uses at least this share of them: one everyday word of several (\"Is it only for big "
        "companies?\": 会社, 0.29) says nothing of which option was meant; 「大学と組んだ取組もある？」 (0.43) does.")
    elsewhere_share: float = Field(
        0.5, description="A message whose nearest examples are at least this share out of scope asks about "
        "something else, not about the earlier topic.")


class Settings(BaseSettings):
    """Paths, model, retrieval and safety limits. ``KINKI_TOP_K=8`` overrides ``top_k``."""

    model_config = SettingsConfigDict(env_prefix="KINKI_", env_file=".env", extra="ignore")

    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="Source documents, contact directory, glossary.")
    index_dir: Path = Field(PROJECT_ROOT / "index", description="Built Chroma store and BM25 index (not committed).")
    eval_dir: Path = Field(PROJECT_ROOT / "eval", description="Regression set, thresholds and reports.")
    feedback_db: Path = Field(PROJECT_ROOT / "index" / "feedback.sqlite3", description="SQLite file for thumbs up/down.")

    chunk_tokens: int = Field(120, description="Chunk size in MeCab tokens; chunks never cross an initiative.")
    top_k: int = Field(12, description="Chunks fetched from each retriever before fusion.")
    max_initiatives: int = Field(3, description="Most initiatives named in one answer.")
    max_quotes: int = Field(3, description="Most quoted sentences in one answer.")
    quote_weights: QuoteWeights = Field(default_factory=QuoteWeights, description="How quotes are chosen.")
    # The evidence an initiative's score is made of (Router.score) and the thresholds on it: chosen by
    # scripts/tune_routing.py on eval/dev.jsonl and eval/dev-voices.jsonl (390 single questions; routed
    # 0.966, expected initiative among the options 0.972, out of scope turned away 0.985, in scope turned
    # away 0.003, clarifying 0.015), never on eval/sealed.jsonl. Settings within 0.01 of each other on
    # that objective abound; of those, the examples weigh most, as they carry unseen wording best.
    weight_dense: float = Field(0.40, description="Weight of the best chunk's dense (Chroma) similarity.")
    weight_sentence: float = Field(0.60, description="Weight of the best sentence's similarity to the question.")
    weight_bm25: float = Field(0.20, description="Weight of the best chunk's BM25 score, relative to the top hit.")
    weight_title: float = Field(0.30, description="Weight of the share of the question's rare words in the title.")
    weight_lexical: float = Field(0.30, description="Weight of the share of the question's rare words in the text.")
    weight_verbatim: float = Field(0.3, description="Weight of a name the question types that only this "
                                   "initiative's text writes, word for word (IT導入補助金: IT, 導入 and 補助金 are "
                                   "each in other slides too); as heavy as the title's and the text's shares (dev: "
                                   "+4 flips, none lost).")
    weight_examples: float = Field(0.75, description="Weight of the initiative's share of the nearest examples' vote.")
    examples_title_named: float = Field(
        0.3, description="Share of a question's rare words in one initiative's title from which it names that "
        "initiative: the examples' vote then counts for each initiative as far as its title is named as well "
        "(dev: +3, none lost; at 0.2: +2 -4, GX named in English lost to hydrogen's examples).")
    named_elsewhere: float = Field(0.3, description="How much of an initiative's evidence goes when the question "
                                   "types a name another title says and this initiative never uses (DX asked, the GX "
                                   "project scored): the encoder hears DX and GX alike (chosen on dev).")
    audience_unnamed: float = Field(0.5, description="How much of an initiative's evidence goes when its title "
                                    "names the people it is for (高度外国人材) and a question in Japanese, in its words or the "
                                    "glossary's, never names them: staff leaving, or IT skills, is not a question about "
                                    "foreign staff because one slide's sentence says 定着 or デジタル化. Half: at 0.3 an "
                                    "ageing workforce, which foreign talent had led, was asked back as a choice between the "
                                    "two; at 0.1 IT skills still was.")
    weight_out_of_scope: float = Field(
        0.5, description="How much the share of out-of-scope examples among the nearest lowers the evidence.")
    abstain_below: float = Field(
        0.28, description="Evidence (top score less the out-of-scope share) under which the assistant says the "
        "document does not cover the question; confidence 0.5 sits here.")
    confidence_slope: float = Field(
        2.5, description="Confidence = sigmoid(slope x (evidence - abstain_below)); the slope is the maximum-"
        "likelihood fit of 'the top initiative is right' on the dev questions, so confidence reads as a chance.")
    examples_strange: float = Field(
        0.25, description="Nearest-example similarity at and under which the examples' vote counts for nothing.")
    examples_familiar: float = Field(
        0.40, description="Nearest-example similarity from which the examples' vote counts in full.")
    example_neighbours: int = Field(10, ge=1, description="Labelled examples that vote on each question.")
    example_temperature: float = Field(
        0.05, gt=0, description="Vote weight exp((sim - best) / T): an example 0.05 less similar than the "
        "closest counts e^-1 as much.")
    also_name_within: float = Field(
        0.7, description="Other initiatives scoring at least this share of the top one are named too, with their "
        "offices after the first (on dev-voices the expected office among the first three offered: 0.952 at 0.9, "
        "0.973 at 0.7; routing unchanged).")
    office_default_margin: float = Field(
        0.3, description="Where offices share an initiative, the one the table lists first (its general office) "
        "stays first unless another's remit words are named or its examples outvote it by this share: a worry "
        "about leaking technology is the general office's, though examples about handing drawings abroad "
        "(export control) lie near it.")
    states_within: float = Field(
        0.6, description="Asked a kind of fact (a date) about a thing it names, the question goes to an initiative "
        "scoring at least this share of the top one whose slides state that fact in a line naming the thing (大阪・関西万博"
        "（開催期間：…）), where the top one's never do: tuned on dev sets asking the Expo's dates in English.")
    states_rare_idf: float = Field(
        1.2, description="How rare a word of the question must be to name the thing asked about (万博 1.27; 関西, "
        "大阪 name everything).")
    states_nearer: float = Field(
        2.0, description="Of the initiatives stating the asked fact beside the thing's name, those whose line "
        "writes them within this many times the nearest one's distance are rivals; farther, an event held at the "
        "thing (…万博では、…イベントを９月24日(水)に開催) is no rival to its own dates.")
    states_title_named: float = Field(
        0.1, description="Not where the question names the top initiative's title this much (its share of the "
        "question's words): the Global Startup Expo's date is its own, though its date line names nothing.")
    clarify_within: float = Field(
        0.90, description="An initiative of another office scoring at least this share of the top one makes the "
        "assistant ask which is meant instead of guessing.")

    model_cache_dir: Path = Field(
        PROJECT_ROOT / ".cache",
        description="Where the encoder keeps its parsed tokenizer so start-up skips re-parsing it (not committed).",
    )

    baseline_chunk_size: int = Field(
        256, description="Evaluation baseline: SentenceSplitter chunk size in tiktoken tokens (about one per kanji)."
    )
    baseline_chunk_overlap: int = Field(32, description="Evaluation baseline: SentenceSplitter chunk overlap in tokens.")

    chroma_mode: ChromaMode = Field(ChromaMode.embedded, description="embedded (PersistentClient) or server (HttpClient).")
    chroma_host: str = Field("127.0.0.1", description="Chroma server host in server mode.")
    chroma_port: int = Field(8000, description="Chroma server port in server mode.")
    collection: str = Field("kinki-policies", description="Chroma collection name.")
    embed_threads: int = Field(
        1,
        description="BLAS threads for the sentence encoder. 1 by default: on 2 shared cores, 2 threads made "
        "embedding 3-5x slower whenever another process (or a concurrent request) was busy.",
    )

    build_workers: int = Field(
        2, ge=1, description="Processes that embed in parallel when a build has at least 2,000 new texts "
        "(each loads its own copy of the model, ~300 MB).")
    chunk_vectors: Literal["encode", "sentence-mean"] = Field(
        "encode",
        description="How a chunk's dense vector is made: 'encode' embeds the chunk's slide title and text; "
        "'sentence-mean' averages its sentence vectors (needed anyway for quotes), halving a build's embedding "
        "work. On eval/dev.jsonl (347 cases) 'encode' routes 0.987 against 0.977 and turns no in-scope question "
        "away (0.010 with 'sentence-mean'), so it is the default; 'sentence-mean' suits very large corpora.",
    )

    topic: TopicThresholds = Field(default_factory=lambda: TopicThresholds(),
                                   description="When a message carries on the conversation's topic.")

    max_message_chars: int = Field(2000, description="Longer messages are refused with a clear message.")
    max_query_chars: int = Field(
        200, description="Longest directory query (/api/contacts?q=, the Directory box); longer ones are refused (422)."
    )
    max_history_turns: int = Field(50, description="Only the most recent turns of a history are read.")
    max_history_chars: int = Field(20000, description="Total characters of history read.")
    max_request_bytes: int = Field(
        1_000_000, description="Larger HTTP request bodies are refused (413) before they are read in full."
    )

    repair_index: bool = Field(True, description="Rebuild a damaged index when the assistant starts instead of failing.")
    chroma_timeout_seconds: float = Field(
        1.0, gt=0,
        description="Server mode: longest wait for one Chroma read (a search, a count, connecting). chromadb's "
        "HttpClient waits forever by default, so a stalled server (SIGSTOP, a hung disk) would hang every answer; "
        "past this the answer comes from BM25 alone (degraded). A loopback query takes a few ms, and under 16 "
        "concurrent clients on 2 cores well under 0.5 s, so 1 s is rarely reached by a healthy server.",
    )
    chroma_health_timeout_seconds: float = Field(
        0.5, gt=0,
        description="Server mode: longest /healthz waits for Chroma before reporting degraded, so a health check "
        "answers within a second even while Chroma stalls (the probe itself still ends at chroma_timeout_seconds).",
    )
    chroma_write_timeout_seconds: float = Field(
        120.0, gt=0,
        description="Server mode: longest wait for one Chroma call while building (creating a collection, writing "
        "a batch of 1,024 vectors): a busy server may take seconds to index a batch, but a stalled one still fails "
        "the build instead of hanging it.",
    )
    dense_retry_seconds: float = Field(
        5.0, description="After the Chroma side fails, answer from BM25 alone (degraded) this long before trying again."
    )

    max_feedback_comment_chars: int = Field(1000, description="Longer feedback comments are refused with a clear message.")
    finder_max_results: int = Field(5, description="Most initiatives the support finder lists.")

    api_token: str | None = Field(
        None, description="When set, the OpenAI-compatible API (/v1) requires `Authorization: Bearer <token>`."
    )

    host: str = Field("127.0.0.1", description="Address `serve` binds to.")
    port: int = Field(7860, description="Port `serve` binds to.")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
