"""Evatra ublDto fixtures for pintae (see convert-fixtures.py)."""
import os

def main(root, write, expect):
    pass
