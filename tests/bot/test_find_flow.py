"""Finding support in the conversation: by location, by new or old name, by service."""

from __future__ import annotations

import re

from bot.app import App


async def to_find(chat) -> None:
    await chat.command("/start")
    await chat.click("Tiếng Việt")
    await chat.click("Tìm nơi hỗ trợ")
    assert chat.replies[-1].request_location, "a location button is offered"


async def test_an_old_commune_name_finds_the_new_committee(app: App, transcript) -> None:
    chat = transcript()
    await to_find(chat)
    await chat.send("dai hop kien thuy")
    assert "Từ năm 2025, Xã Đại Hợp, Huyện Kiến Thụy nay thuộc Xã Kiến Hải" in chat.text
    assert "1. Ủy ban nhân dân Xã Kiến Hải" in chat.text
    assert "https://www.openstreetmap.org/?mlat=" in chat.text
    assert "trung tâm xã/phường, địa chỉ cần kiểm tra" in chat.text
    assert "☎ 111" in chat.text.split("Tổng đài quốc gia 111")[1], "111 closes the page"
    assert chat.text.index("Tổng đài quốc gia 111") > chat.text.index("5. ")
    await chat.click("Xem thêm")
    assert "6. " in chat.text and "1. " not in chat.text


async def test_an_ambiguous_name_offers_choices(app: App, transcript) -> None:
    chat = transcript()
    await to_find(chat)
    await chat.send("Đại Hợp")
    assert "Có vài nơi trùng tên" in chat.text
    await chat.click("Xã Tân Kỳ")
    assert "1. Ủy ban nhân dân Xã Tân Kỳ" in chat.text


async def test_not_found_offers_location_and_hotlines(app: App, transcript) -> None:
    chat = transcript()
    await to_find(chat)
    await chat.send("qwerty zxcv")
    assert "Chưa tìm thấy" in chat.text and "111" in chat.text
    assert chat.replies[-1].request_location


async def test_location_and_service_filter(app: App, transcript) -> None:
    chat = transcript()
    await to_find(chat)
    await chat.click("Pháp lý")
    assert "Đang tìm: Pháp lý" in chat.text
    await chat.location(20.86, 106.68)
    assert "Nơi hỗ trợ gần bạn nhất" in chat.text
    assert "1. Trung tâm Trợ giúp pháp lý" in chat.text
    assert "2. " not in chat.text, "only places that offer legal aid"
    await chat.click("✓ Pháp lý")
    assert "1. Ủy ban nhân dân" in chat.text, "pressing the ticked filter removes it"
    assert re.search(r"2\. Ủy ban nhân dân .* — cách \d+,\d km", chat.text)


async def test_a_chosen_service_shows_only_places_offering_it(app: App, transcript) -> None:
    chat = transcript()
    await to_find(chat)
    await chat.click("Tâm lý")
    await chat.location(20.86, 106.68)
    numbered = re.findall(r"^\d+\. (.*?)(?: — |$)", chat.text, re.M)
    assert sorted(numbered) == [
        "Hội Liên hiệp Phụ nữ thành phố Hải Phòng",
        "Trung tâm Công tác xã hội thành phố Hải Phòng",
    ]
    assert "Ủy ban nhân dân" not in chat.text
    assert "Xem thêm" not in chat.labels


async def test_a_service_nobody_near_offers_says_so_then_the_committee(
    app: App, transcript
) -> None:
    chat = transcript()
    await to_find(chat)
    await chat.click("Y tế")
    await chat.send("kien hai")
    said = chat.text
    assert "Không có nơi nào gần đây trong danh bạ có “Y tế”" in said
    assert said.index("Không có nơi nào") < said.index("1. Ủy ban nhân dân Xã Kiến Hải")
    assert "2. Ủy ban nhân dân" in said
    assert "Tổng đài quốc gia 111" in said


async def test_the_declaration_address_keeps_both_forms(app: App, transcript) -> None:
    from tests.bot.test_declaration_flow import consent_all, open_declaration

    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.skip_until(lambda c: bool(c.replies[-1].request_location))  # the address
    await chat.send("xã Đại Hợp, huyện Kiến Thụy")
    assert "Địa chỉ này nay thuộc Xã Kiến Hải, Thành phố Hải Phòng" in chat.text
    await chat.click("Quay lại")
    assert "xã Đại Hợp, huyện Kiến Thụy (nay: Xã Kiến Hải, Thành phố Hải Phòng)" in chat.text


async def test_english_results(app: App, transcript) -> None:
    chat = transcript(chat="en")
    await chat.command("/start")
    await chat.click("English")
    await chat.click(chat.labels[1])
    await chat.send("kien hai")
    assert "People's Committee of Kiến Hải Commune" in chat.text
    assert "km away" not in chat.text, "no distance from a commune's centre: it says nothing"
    await chat.location(20.86, 106.68)
    assert re.search(r"1\. .* — \d+\.\d km away", chat.text)


async def test_far_away_says_so_and_a_danger_word_is_not_a_commune(app: App, transcript) -> None:
    chat = transcript()
    await to_find(chat)
    await chat.location(51.5, -0.1)
    assert "Vị trí bạn gửi ở ngoài Hải Phòng" in chat.text and "111" in chat.text
    await chat.send("cứu tôi với")
    assert "113" in chat.text
    assert "Chưa tìm thấy" not in chat.text, "the emergency reply is the whole answer"


async def test_with_a_service_the_communes_own_office_comes_first_only_if_it_offers_it(
    app: App,
) -> None:
    page = app.directory.in_ward("11749", "legal", 0, 5)
    assert page.places[0].name_vi.startswith("Trung tâm Trợ giúp pháp lý")
    page = app.directory.in_ward("11749", "report", 0, 5)
    assert page.places[0].name_vi == "Ủy ban nhân dân Xã Kiến Hải"


async def test_an_ambiguous_address_offers_the_communes(app: App, transcript) -> None:
    from tests.bot.test_declaration_flow import consent_all, open_declaration

    chat = transcript()
    await open_declaration(chat)
    await consent_all(chat)
    await chat.click("Khai cho chính tôi")
    await chat.skip_until(lambda c: bool(c.replies[-1].request_location))
    await chat.send("thôn Ba, Đại Hợp")
    assert "Có vài xã, phường trùng tên này" in chat.text
    assert "Giữ như tôi đã gõ" in chat.labels
    await chat.click("Xã Tân Kỳ")
    assert "Địa chỉ này nay thuộc Xã Tân Kỳ" in chat.text
    await chat.click("Quay lại")
    assert "thôn Ba, Đại Hợp (nay: Xã Tân Kỳ, Thành phố Hải Phòng)" in chat.text
    await chat.send("Đại Hợp")
    await chat.click("Giữ như tôi đã gõ")
    await chat.click("Quay lại")
    assert "Câu trả lời hiện tại: Đại Hợp\n" in chat.text + "\n"


async def test_a_location_outside_the_area_gives_the_national_hotlines(
    app: App, transcript
) -> None:
    chat = transcript()
    await to_find(chat)
    await chat.click("Tâm lý")
    await chat.location(0.0, 0.0)
    said = chat.text
    assert "Vị trí bạn gửi ở ngoài Hải Phòng. Danh bạ này chỉ có các nơi hỗ trợ ở Hải Phòng" in said
    assert "☎ 111" in said and "☎ 113" in said
    assert " km" not in said, "no distance of thousands of kilometres"
    assert not re.search(r"^\d+\. ", said, re.M), "no far-away office is listed"
    assert "Tìm nơi khác" in chat.labels


async def test_outside_the_area_in_english(app: App, transcript) -> None:
    chat = transcript(chat="en-out")
    await chat.command("/start")
    await chat.click("English")
    await chat.click(chat.labels[1])
    await chat.location(21.03, 105.85)  # Hà Nội, about 100 km away
    assert "The location you sent is outside Hải Phòng" in chat.text
    assert "☎ 113" in chat.text and "km away" not in chat.text
