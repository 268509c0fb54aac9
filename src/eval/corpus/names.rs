//! Fixed word lists the generator draws from: names, streets, towns with their postcode
//! districts, webmail domains, organisations, subjects and staff. All fictional.

/// Given names.
pub const FIRST_NAMES: &[&str] = &[
    "Aisha", "Alan", "Amelia", "Andrew", "Anna", "Barbara", "Ben", "Carol", "Chloe", "Chris",
    "Daniel", "David", "Deborah", "Eleanor", "Emma", "Fatima", "Gareth", "Grace", "Hannah",
    "Harry", "Ian", "Imran", "Jack", "James", "Jane", "Joan", "John", "Joseph", "Karen", "Kwame",
    "Laura", "Leon", "Linda", "Lucy", "Margaret", "Mark", "Mary", "Michael", "Mohammed", "Nadia",
    "Naomi", "Nathan", "Olivia", "Owen", "Patrick", "Paul", "Priya", "Rachel", "Ravi", "Rebecca",
    "Richard", "Robert", "Ruth", "Sam", "Sarah", "Sean", "Sophie", "Stephen", "Susan", "Thomas",
    "Tom", "Yusuf", "Zoe",
];

/// Family names.
pub const SURNAMES: &[&str] = &[
    "Ahmed", "Ali", "Bailey", "Baker", "Brown", "Campbell", "Clarke", "Cooper", "Davies",
    "Edwards", "Evans", "Green", "Hall", "Harris", "Hughes", "Jackson", "Jones", "Kaur", "Khan",
    "King", "Lewis", "Mensah", "Moore", "Morgan", "Murphy", "Nolan", "Okafor", "Owen", "Parry",
    "Patel", "Phillips", "Price", "Roberts", "Robinson", "Shah", "Singh", "Smith", "Taylor",
    "Thomas", "Thompson", "Turner", "Walker", "Ward", "Watson", "White", "Williams", "Wilson",
    "Wood", "Wright", "Young",
];

/// Street names.
pub const STREETS: &[&str] = &[
    "Acacia Avenue",
    "Albert Road",
    "Beech Grove",
    "Birch Close",
    "Canal Street",
    "Church Lane",
    "Dock Road",
    "Elm Terrace",
    "Ferry View",
    "Grange Road",
    "Harbour Walk",
    "Hawthorn Road",
    "High Street",
    "Holly Bank",
    "Kings Drive",
    "Laurel Way",
    "Manor Road",
    "Market Street",
    "Mill Lane",
    "Oak Street",
    "Orchard Close",
    "Park Road",
    "Queens Avenue",
    "Rake Lane",
    "Riverside Drive",
    "Rose Hill",
    "School Lane",
    "Station Road",
    "Victoria Road",
    "Willow Crescent",
];

/// Towns and a postcode district in each.
pub const TOWNS: &[(&str, &str)] = &[
    ("Birkenhead", "CH41"),
    ("Birkenhead", "CH42"),
    ("Wallasey", "CH44"),
    ("Wallasey", "CH45"),
    ("Moreton", "CH46"),
    ("Hoylake", "CH47"),
    ("West Kirby", "CH48"),
    ("Liverpool", "L8"),
    ("Liverpool", "L15"),
    ("Bootle", "L20"),
    ("Crosby", "L23"),
    ("Huyton", "L36"),
    ("St Helens", "WA10"),
    ("Southport", "PR8"),
];

/// Personal webmail domains.
pub const WEBMAIL: &[&str] = &["gmail.example", "outlook.example", "btinternet.example"];

/// Organisations and their domains.
pub const ORGANISATIONS: &[(&str, &str)] = &[
    ("Harbour Joinery Ltd", "harbourjoinery.example"),
    ("Mersey Lettings", "merseylettings.example"),
    ("Wirral Care Homes", "wirralcare.example"),
    ("Dockside Storage Ltd", "docksidestorage.example"),
    ("Rake Lane Primary School", "rakelaneprimary.example"),
    (
        "Northshore Housing Association",
        "northshorehousing.example",
    ),
    (
        "Birch Close Residents Association",
        "birchcloseresidents.example",
    ),
    ("Kings Drive Garage", "kingsdrivegarage.example"),
    ("Ferry View Hotel", "ferryviewhotel.example"),
    ("Canal Street Bakery", "canalbakery.example"),
    ("Grange Events Ltd", "grangeevents.example"),
    ("Orchard Nursery", "orchardnursery.example"),
    ("Station Road Surgery", "stationroadsurgery.example"),
    ("Market Street Traders", "marketstreettraders.example"),
    ("Riverside Sports Club", "riversidesports.example"),
    ("Willow Builders", "willowbuilders.example"),
    ("Holly Bank Church", "hollybankchurch.example"),
    ("Victoria Road Pharmacy", "victoriapharmacy.example"),
    ("Queens Avenue Dental", "queensdental.example"),
    ("Mill Lane Motors", "millmotors.example"),
];

/// Subjects people write about.
pub const SUBJECTS: &[&str] = &[
    "Home fire safety visit",
    "Smoke alarm keeps beeping",
    "Bonfire near the allotments",
    "Fire hydrant marker missing",
    "Fire risk assessment for our premises",
    "Thank you to the crew",
    "Access for fire engines on our road",
    "Response time on Saturday",
    "Blocked fire exit at the shops",
    "Request for a talk at our school",
    "Heat alarm in the kitchen",
    "Smoke from the derelict building",
];

/// Body sentences.
pub const SENTENCES: &[&str] = &[
    "I am writing about the matter in the subject line.",
    "Could someone let me know what happens next?",
    "I would be grateful for an update when you have a moment.",
    "The crew who visited were very helpful.",
    "I have attached the details I have so far.",
    "Please let me know the best way to arrange a visit.",
    "This has been going on for a couple of weeks now.",
    "My neighbour mentioned the same thing last month.",
    "I am at home most mornings if a visit would help.",
    "Thank you for looking into this.",
];

/// A member of staff in the generated directory.
#[derive(Clone, Copy, Debug)]
pub struct Staff {
    /// Email local part at `fire.example`.
    pub local: &'static str,
    /// Name as the directory writes it.
    pub listed: &'static str,
    /// Name as they sign.
    pub name: &'static str,
    /// Role.
    pub role: &'static str,
    /// Telephone extension.
    pub extension: u16,
    /// Direct dial: 0151 496 09NN.
    pub dial: u16,
    /// Senior officer.
    pub senior: bool,
    /// Service area.
    pub area: &'static str,
}

/// The staff directory; the last entry is the senior officer customers do not write to.
pub const STAFF: &[Staff] = &[
    Staff {
        local: "asha.patel",
        listed: "Patel, Asha",
        name: "Asha Patel",
        role: "Customer Services Officer",
        extension: 2001,
        dial: 1,
        senior: false,
        area: "Wirral",
    },
    Staff {
        local: "tom.reilly",
        listed: "Tom Reilly",
        name: "Tom Reilly",
        role: "Customer Services Officer",
        extension: 2002,
        dial: 2,
        senior: false,
        area: "Wirral",
    },
    Staff {
        local: "grace.okoro",
        listed: "Grace Okoro",
        name: "Grace Okoro",
        role: "Community Safety Advisor",
        extension: 2003,
        dial: 3,
        senior: false,
        area: "Liverpool",
    },
    Staff {
        local: "martin.lowe",
        listed: "Martin Lowe",
        name: "Martin Lowe",
        role: "Station Manager",
        extension: 2004,
        dial: 4,
        senior: false,
        area: "Sefton",
    },
    Staff {
        local: "helen.fraser",
        listed: "Helen Fraser",
        name: "Helen Fraser",
        role: "Prevention Manager",
        extension: 2005,
        dial: 5,
        senior: false,
        area: "Liverpool",
    },
    Staff {
        local: "ade.bello",
        listed: "Ade Bello",
        name: "Ade Bello",
        role: "Fire Safety Inspector",
        extension: 2006,
        dial: 6,
        senior: false,
        area: "St Helens",
    },
    Staff {
        local: "claire.dunn",
        listed: "Claire Dunn",
        name: "Claire Dunn",
        role: "Complaints Officer",
        extension: 2007,
        dial: 7,
        senior: false,
        area: "All",
    },
    Staff {
        local: "dana.chief",
        listed: "Dana Chief",
        name: "Dana Chief",
        role: "Chief Fire Officer",
        extension: 2100,
        dial: 8,
        senior: true,
        area: "All",
    },
];
