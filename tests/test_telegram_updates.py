"""Updates of one chat in order, of different chats at the same time."""

import asyncio

from telegram import Chat, Message, Update

from bot.telegram_updates import PerChatUpdateProcessor


def update(number: int, chat: int) -> Update:
    message = Message(message_id=number, date=None, chat=Chat(chat, "private"), text=str(number))
    return Update(update_id=number, message=message)


def test_one_chat_in_order_and_other_chats_meanwhile():
    async def run():
        processor = PerChatUpdateProcessor()
        done, running, most = [], [0], [0]

        async def handle(chat, number, seconds):
            running[0] += 1
            most[0] = max(most[0], running[0])
            await asyncio.sleep(seconds)
            running[0] -= 1
            done.append((chat, number))

        jobs = [(1, 1, 0.05), (1, 2, 0.0), (1, 3, 0.01), (2, 4, 0.0), (3, 5, 0.02)]
        await asyncio.gather(*(processor.process_update(update(n, chat), handle(chat, n, s)) for chat, n, s in jobs))
        return done, most[0], processor._chats

    done, most, left = asyncio.run(run())
    assert [n for chat, n in done if chat == 1] == [1, 2, 3]  # chat 1's slow first update is not overtaken
    assert done.index((2, 4)) < done.index((1, 1))  # chat 2 did not wait for chat 1
    assert most >= 3 and left == {}
