"""The local console: the terminal as a channel, for trying Paperboy without Slack or Discord."""
