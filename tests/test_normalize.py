from assistant.normalize import (
    find_phones,
    format_phone,
    hiragana,
    normalize_query,
    phone_digits,
    years_named,
)


def test_phone_written_any_way_is_found() -> None:
    for text in ["06-6966-6014はどこ？", "０６－６９６６－６０１４", "06‐6966‐6014", "0669666014", "06 6966 6014",
                 "06ー6966ー6014", "06−6966−6014"]:
        assert find_phones(text) == ["0669666014"], text


def test_local_number_without_area_code_is_found() -> None:
    assert find_phones("6966-6031ってどこの番号？") == ["69666031"]


def test_kobe_number_is_formatted_like_the_directory() -> None:
    assert format_phone(phone_digits("078‐393‐2682")) == "078-393-2682"
    assert format_phone("0669666055") == "06-6966-6055"


def test_query_normalisation_folds_width_and_case() -> None:
    assert normalize_query("ＤＸ　推進　　相談") == "dx 推進 相談"
    assert hiragana("スイソ") == "すいそ"


def test_a_year_is_read_in_each_way_it_is_written_but_not_from_a_number_or_a_name() -> None:
    for text in ("2023年度 4回", "FY2023", "in fiscal 2023?", "令和５年度の実績", "R5年度"):
        assert years_named(text) == {2023}, text
    assert years_named("令和元年") == {2019}
    assert not years_named("06-6966-2023") and not years_named("Global Startup EXPO 2025")


def test_a_counter_typed_in_kana_is_read_in_kanji_but_not_a_word_starting_so() -> None:
    assert normalize_query("2023ねんどは何かいやったの？") == "2023年度は何回やったの?"
    assert normalize_query("なんしゃ参加してる？") == "何社参加してる?"
    # 何か + いい / いる: no count asked.
    assert normalize_query("何かいい方法ある？") == "何かいい方法ある?"
    assert normalize_query("何かいる？") == "何かいる?"
