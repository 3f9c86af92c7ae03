namespace Dcu.Host.Technician;

/// <summary>One line typed at the console, without its line end.</summary>
/// <param name="Text">The line (UTF-8 decoded); empty when <paramref name="TooLong"/>.</param>
/// <param name="TooLong">The line went past the reader's bound and was thrown away.</param>
public readonly record struct ConsoleLine(string Text, bool TooLong);
