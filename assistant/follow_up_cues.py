"""The words by which a message leans on the conversation before it: pointing back (その, it), asking what the
office handles, naming only another subject, changing the topic. ``assistant.chat`` reads each message with them.
General Japanese and English, none of the document's own words."""

from __future__ import annotations

import re

# Words that make a message lean on what was said before ("その電話番号は？", "神戸の窓口は？").
FOLLOW_UP = re.compile(
    r"その|そこ|それ|そちら|この|あの|さっき|先ほど|担当|電話|番号|連絡先|窓口|問い?合わせ|いつ|開催日|日程|場所|"
    r"詳しく|もっと|ほか|他に|どこ|誰|\b(it|its|that|this|they|them|their|there|phone|number|contact|when|where|who)\b"
)
# Words that say a new topic starts (話は変わるけど, ところで, 別件で, by the way).
CHANGES_TOPIC = re.compile(r"話(は|が)?変わ|話題(は|が)?変わ|話を変え|(違う|別の)(話|質問|件)|ところで|別件|それとは別|関係ない(けど|が)|"
                            r"\bby the way\b|\b(another|different|new|unrelated|other) (question|topic|subject|matter)\b|"
                            r"\b(changing|switching) (the )?(topic|subject)s?\b|\bon another note\b|\bunrelated\b")
# Asking for the topic's kind of work for another subject ("Is there something similar for semiconductors?",
# 「半導体でも似たような取組ある？」): what the message names is the new topic, and its "it" points there.
LIKE_IT_FOR = re.compile(r"\b(something|anything|one|programmes?|programs?|initiatives?|schemes?|projects?|support|"
                          r"things?) (similar|like (that|this|it))\b|\bsimilar (ones?|programmes?|programs?|"
                          r"initiatives?|schemes?|things?|support|projects?)\b|\bthe same (thing|kind of)\b|"
                          r"(似た|同じ|同様|おなじ)(よう)?な?(もの|の|取組|取り組み|支援|仕組み|こと)|同様の")
# Words that point back at what was said (そこ, それ, その…), not at anything new; 「具体的には？」「詳しく」
# ask for more of it, as does asking to be told in detail (「支援内容を具体的に教えて」: of what was talked about).
POINTS_BACK = re.compile(r"^(じゃあ|では|で)?[、,\s]*(その|それ|そこ|そちら|この|これ|あの|あれ|具体的に|もっと詳しく|詳しく)|"
                          r"(具体的に|詳しく|くわしく)(教え|知りた|説明|聞かせ)|"
                          r"\b(it|its|that|this|they|them|their|there|specifically|in (more )?detail)\b")
# Asking what else the office handles (ほかに何を担当, what else do they handle): answered by the office.
ELSE_HANDLED = re.compile(r"(ほか|他|以外)(に|の|は|で)[^。？?]{0,8}(担当|扱|所管|受け持)|"
                           r"\bwhat else (do|does|can) (they|it|that office|this office) (handle|cover|deal with)")
# Asking what the office handles (そこは何の施策を担当してる？, what do they handle?): answered by the office's list.
HANDLES = re.compile(r"(何|なに|なん|どんな|どの|どういう|どういった)[^。？?]{0,8}(担当|扱って|扱う|所管|受け持)|"
                      r"\bwhat (do|does) (they|it|that office|this office|that division|the office) (handle|cover|deal with|look after)")
# The office pointed at (そこ, その課, that office), not the topic's work (その事業で何を扱う？ asks about the work).
THE_OFFICE = re.compile(r"^(じゃあ|では|で)?[、,\s]*(そこ|そちら|そっち|その(課|部署|室|部|窓口|担当))|"
                         r"\b(they|that office|this office|that division|the office)\b")
# A pointer inside the message at the topic's own thing (その分野, この会議): what it names is asked of the topic.
POINTS_AT = re.compile(r"(その|この|そこの|そっちの|そちらの)(分野|取組|取り組み|プロジェクト|会議|事業|イベント|制度|計画|プラン|リスト|中|一覧)")
# Asking what the material talked about says (「中小企業向けの補助金だとどんなのが紹介されてる？」, "Which subsidies
# are mentioned?"): a passive with no place of its own says "in it", the topic's slides.
SAID_IN = re.compile(r"(紹介|記載|掲載|言及|説明)(されて|されと|して(ある|あり))|(載って|書いて|書かれて|挙げられて|取り上げられて)"
                     r"(いる|いま|る|ある|あり|ます|ん)|\b(are|is|were|was|get|gets) (mentioned|listed|featured|introduced|named)\b")
# Asking where it is said (「どの取組に載ってる？」): a place of its own, which the topic may not be.
ASKS_WHERE_SAID = re.compile(r"(どの|どこ|どちら|何の|なんの)[^。？?、]{0,8}(に|で)(は|も)?(紹介|記載|掲載|言及|説明|載|書|挙げ|取り上げ)|"
                             r"\b(where|in which|in what)\b")
# Picking one thing out of the topic's list (その中の空モビリティについて): what is picked is asked about itself.
PICKS_FROM = re.compile(r"(その|この|あの)(中|うち)の")
# Whether the topic's own list holds something (「水素も対象に入ってますか」, "Is hydrogen included?").
INCLUDED = re.compile(r"(も|は|って)(その)?(対象|範囲|分野|中)?(に|の中に)?(入って|入る|入り|含まれ|含む)|"
                       r"\b(included|includes|include|covered|among them)\b")
# Whether the topic's work also does something (「海外展開の後押しもしてくれるの？」 after hydrogen, whose slides
# name its firms' overseas expansion): asked of the topic, not of the initiative named for that work.
ALSO_DOES = re.compile(r"([一-龥ァ-ヶーa-z0-9]{2,})(?:の(?:後押し|支援|サポート|手伝い|応援|相談))?も"
                        r"(?:(?:して|やって|やり|行って|おこなって|扱って|手伝って|応援して|支援して|後押しして)"
                        r"(?:くれ|もらえ|いる|いま|る|ます|ん|は)|(?:対応|支援|後押し)(?:して|し|可能|でき|ある|あり))")
# Comparing the topic with another (「担当は水素と同じ部署？」, "Is it the same office as hydrogen?"): the topic is
# still what is asked about; in 「水素も同じ？」 水素 is, so only と同じ counts.
SAME_AS = re.compile(r"と(同じ|一緒|おなじ)|\bsame (office|team|division|department|section|people|number) as\b")
# Asking for more of the same (他には？, ほかにもある？, それ以外は？, any others?, what else?).
OTHERS = re.compile(r"^(じゃあ|では|で)?[、,\s]*(他|ほか)(に|の)?(は|も|には)|それ以外(は|に|の)|"
                     r"^(and )?(any )?others?\b|\b(what|anything|anyone|who) else\b")
# Words that ask a question of their own (「今年度はどんな形でやる？」), where 「アンモニアのほうは？」 only names
# another subject and asks what the question before it asked.
INTERROGATIVE = re.compile(r"何|なに|なん[でのだ]|どんな|どう|どこ|どの|どれ|どちら|いつ|誰|だれ|なぜ|"
                            r"\b(what|which|how|who|when|where|why)\b")
# A question of its own that asks yes or no (「講師派遣って無料？」「Is it free?」「相談できる？」): a predicate after
# its subject, where 「アンモニアのほうは？」 ends on the subject.
YES_NO = re.compile(r"(って|とは)[^。？?]*[^はのもで、\s][？?]*$|"
                     r"(ある|あります|あるの|できる|できます|使える|使えます|もらえる|もらえます)[かの]?[？?]+$|"
                     r"も(そこ|そちら|そっち|同じ|一緒)(です|でしょう|だ)?(か|よね|なの|なん)?[？?]*$|"  # 「セミナーもそこ？」
                     r"^(is|are|was|were|do|does|did|have|has|had|can|could|will|would|should|may|might)\b")
# A message that only names a subject (「蓄電池の方は？」, 'And DX?', 'What about hydrogen?').
ONLY_SUBJECT = re.compile(r"^[^。？?]{1,20}?(の\s*(ほう|方)|って|は|も)\s*[?？]+$|^(and|what about|how about) [^?]{1,30}\?$")
