"""Trainwatch: is this content of mine used to train AI on this platform?"""
