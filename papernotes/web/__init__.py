"""Reading web answers that were already fetched: pages, GitHub's repository API, oEmbed.

Nothing here does I/O; the caller fetches and hands over the bytes with their Content-Type.
"""
