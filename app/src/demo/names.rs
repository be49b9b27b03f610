//! Built-in name lists for the demo school. Every person is an invented
//! combination of a first and a last name drawn at random: no real people.
//! The lists include accents, apostrophes, hyphens and particles on purpose,
//! because real rosters do.

pub const FIRST_NAMES: &[&str] = &[
    "Aaliyah", "Aarav", "Abigail", "Adrián", "Aiden", "Aisha", "Alejandro", "Alexis", "Amara",
    "Amir", "Ana", "Andre", "Anika", "Aria", "Arjun", "Asher", "Ava", "Beatriz", "Benjamin",
    "Bianca", "Brandon", "Brooklyn", "Caleb", "Camila", "Carlos", "Carmen", "Chloe", "Chidi",
    "Daniel", "Daniela", "Darius", "Deja", "Diego", "Dmitri", "Eli", "Elena", "Elijah", "Emeka",
    "Emilia", "Emma", "Esperanza", "Ethan", "Evelyn", "Fatima", "Felix", "Gabriel", "Grace",
    "Hana", "Hannah", "Hassan", "Hiroshi", "Ibrahim", "Imani", "Isabella", "Isaiah", "Jada",
    "Jamal", "Jasmine", "Javier", "Jayden", "Jin", "Joaquín", "Jordan", "José", "Julia",
    "Kai", "Kamala", "Kenji", "Keisha", "Laila", "Layla", "Leah", "Leo", "Liam", "Lucas",
    "Lucía", "Luis", "Maya", "Malik", "Mariana", "Mateo", "Mei", "Mia", "Miguel", "Mohammed",
    "Nadia", "Naomi", "Nathan", "Nia", "Noah", "Nora", "Olivia", "Omar", "Oscar", "Priya",
    "Quinn", "Rafael", "Ravi", "Riley", "Rosa", "Ruby", "Ryan", "Samir", "Santiago", "Sara",
    "Sebastián", "Sofia", "Soo-ah", "Tariq", "Thanh", "Theo", "Uma", "Valentina", "Victor",
    "Wei", "Xavier", "Yara", "Yusuf", "Zara", "Zoë",
];

pub const LAST_NAMES: &[&str] = &[
    "Abara", "Adeyemi", "Ahmed", "Alvarez", "Anderson", "Bailey", "Banerjee", "Becker", "Bennett",
    "Brooks", "Castillo", "Chen", "Cho", "Coleman", "Cruz", "Da Silva", "de la Cruz", "Diaz",
    "Dubois", "Edwards", "Evans", "Fernández", "Fischer", "Flores", "Foster", "García", "Gomez",
    "Gonzalez", "Gupta", "Hall", "Harris", "Hassan", "Hernández", "Hoang", "Hughes", "Ibrahim",
    "Ito", "Jackson", "James", "Jenkins", "Johnson", "Kang", "Kaur", "Kelly", "Khan", "Kim",
    "Kowalski", "Kumar", "Lee", "Lewis", "Li", "López", "Martin", "Martínez", "McAllister",
    "Mendoza", "Miller", "Mitchell", "Moore", "Morales", "Murphy", "Nakamura", "Nguyen",
    "Nguyen-Tran", "Novak", "Nwosu", "O'Brien", "O'Connor", "Okafor", "Ortiz", "Owens", "Park",
    "Patel", "Perez", "Petrov", "Phillips", "Price", "Quispe", "Ramírez", "Reyes", "Rivera",
    "Roberts", "Robinson", "Rodríguez", "Rossi", "Russo", "Sanchez", "Santos", "Schmidt",
    "Shah", "Silva", "Singh", "Smith-Jones", "Sokolov", "Suzuki", "Tanaka", "Taylor", "Thomas",
    "Thompson", "Torres", "Tran", "Turner", "van der Berg", "Vargas", "Vasquez", "Wang",
    "Washington", "Watson", "White", "Williams", "Wilson", "Wong", "Wright", "Yamamoto", "Yilmaz",
    "Young", "Zhang",
];

/// Names some students go by instead of their first name.
pub const PREFERRED_NAMES: &[&str] = &[
    "AJ", "Alex", "Ari", "Bea", "Benny", "CJ", "Dani", "Eli", "Gabi", "Izzy", "Jay", "Jojo",
    "Kat", "Lu", "Max", "Mo", "Nico", "Rae", "Sam", "Sunny", "Teddy", "Tony", "Val", "Zee",
];

/// Invented place names for the school.
pub const PLACES: &[&str] = &[
    "Maple Ridge", "Cedar Hollow", "Willow Creek", "Harbor View", "Juniper Falls", "Birch Meadow",
    "Riverbend", "Stonegate", "Lakeshore", "Pine Hill", "Fox Run", "Clearwater Valley",
];

/// Subjects by grade band; every student takes one section of each.
pub const HIGH_SCHOOL_SUBJECTS: &[&str] = &[
    "English", "Mathematics", "Science", "Social Studies", "Physical Education", "Art & Music",
];
pub const K8_SUBJECTS: &[&str] = &["Literacy", "Mathematics", "Science", "Specials"];

/// What staff who do not teach a class do.
pub const SUPPORT_TITLES: &[&str] = &[
    "Instructional aide", "Coach", "Front office", "Custodian", "Librarian", "School nurse",
    "Cafeteria", "Bus coordinator",
];

/// Reasons staff give when raising a concern (some concerns have none).
pub const CONCERN_REASONS: &[&str] = &[
    "Seems withdrawn lately",
    "Often alone at lunch",
    "Missed a lot of school this month",
    "Mentioned trouble at home",
    "Grades dropped suddenly",
    "Had a conflict with friends",
];

/// Notes adults log after a check-in (about the talk, never sensitive).
pub const CHECK_IN_NOTES: &[&str] = &[
    "Talked about the weekend's game",
    "Asked about their new puppy",
    "Chatted about a video game they like",
    "Showed me a drawing",
    "Talked about music",
];
