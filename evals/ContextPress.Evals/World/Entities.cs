namespace ContextPress.Evals.World;

#pragma warning disable SA1402, SA1649 // small record types of one world live together

internal sealed record Profile(string FirstName, string LastName, string Email, string PhoneNumber, string Birthday, string Address, string Employer);

internal sealed record PaymentCard(string CardId, string Network, string LastFour, string CardholderName, string ExpiresOn, string BillingCity, string Description);

internal sealed record Contact(string ContactId, string FirstName, string LastName, string Email, string PhoneNumber, string Company, string City, string Relationship, string Description)
{
    public string Email { get; set; } = Email;

    public string PhoneNumber { get; set; } = PhoneNumber;

    public string City { get; set; } = City;
}

internal sealed record Email(string EmailId, string ThreadId, string Sender, string SenderName, string Recipient, string Subject, string Body, string SentAt, IReadOnlyList<string> Labels);

internal sealed record CalendarEvent(string EventId, string Title, string Location, IReadOnlyList<string> Attendees, string Description)
{
    public string StartsAt { get; set; } = string.Empty;

    public string EndsAt { get; set; } = string.Empty;
}

internal sealed record Transaction(string TransactionId, string Counterparty, string CounterpartyEmail, decimal Amount, string Currency, string Direction, string Status, string CreatedAt, string Note, string CardId);

internal sealed record Song(string SongId, string Title, string Artist, string Album, int DurationSeconds, long PlayCount, string Genre, int ReleaseYear, string Description);

internal sealed record Playlist(string PlaylistId, string Name, List<string> SongIds, string Description);

internal sealed record FileEntry(string FileId, string Path, string Name, long SizeBytes, string ModifiedAt, string Owner, string Description, string Content);

internal sealed record TodoItem(string TaskId, string ListName, string Title, string DueOn, string Priority, string Status, string Notes);

internal sealed record Note(string NoteId, string Title, IReadOnlyList<string> Tags, string UpdatedAt, string Body);

/// <summary>One state-changing call the world executed (what a task's outcome is judged on).</summary>
internal sealed record WorldAction(string Api, IReadOnlyDictionary<string, string> Arguments);

/// <summary>Pagination metadata of a list response.</summary>
internal sealed record PageInfo(int Page, int PageSize, int TotalItems, int TotalPages, int? NextPage);
