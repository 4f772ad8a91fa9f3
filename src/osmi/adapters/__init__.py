"""Adapters: Osmi's connections to the outside world (databases and the like).

They implement the ports the application layer defines and may use any
framework; nothing in ``osmi.domain`` or ``osmi.application`` imports them.
"""
