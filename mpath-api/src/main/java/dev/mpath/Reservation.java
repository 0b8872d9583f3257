package dev.mpath;

/** The persistent reservation held on a device: holder's key, type and generation. */
public record Reservation(long generation, long key, ReservationType type) {}
