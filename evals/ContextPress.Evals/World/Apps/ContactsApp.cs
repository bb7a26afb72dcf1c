using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace ContextPress.Evals.World.Apps;

internal sealed class ContactsApp(SimWorld world) : AppBase(world, "contacts")
{
    [KernelFunction("login"), Description("Logs in to the contacts app; returns an access token.")]
    public string Login(string username, string password) => DoLogin(username, password);

    [KernelFunction("search_contacts"), Description("Searches contacts by name, e-mail, company or city, paginated.")]
    public string SearchContacts(string access_token, string query, int page = 1)
    {
        if (Unauthorized("search_contacts", access_token) is { } error)
        {
            return error;
        }

        (IReadOnlyList<Contact> items, PageInfo info) = SimWorld.Paginate(World.SearchContacts(query), page, SimWorld.ContactsPageSize);
        return World.Respond("contacts.search_contacts", items, info);
    }

    [KernelFunction("update_contact"), Description("Updates one field (email, phone_number or city) of a contact; returns the updated contact.")]
    public string UpdateContact(string access_token, string contact_id, string field, string value)
    {
        if (Unauthorized("update_contact", access_token) is { } error)
        {
            return error;
        }

        Contact? contact = World.Contacts.FirstOrDefault(c => c.ContactId == contact_id);
        if (contact is null)
        {
            return World.Error("contacts.update_contact", 404, $"No contact with id {contact_id}.");
        }

        switch (field)
        {
            case "email": contact.Email = value; break;
            case "phone_number": contact.PhoneNumber = value; break;
            case "city": contact.City = value; break;
            default: return World.Error("contacts.update_contact", 400, $"Field {field} cannot be updated.");
        }

        World.Record("contacts.update_contact", ("contact_id", contact_id), ("field", field), ("value", value));
        return World.Respond("contacts.update_contact", contact);
    }
}
