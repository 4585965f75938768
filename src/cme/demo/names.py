"""Word lists for the demo data: names, streets and places. All fictional.

First names and surnames are common in England across many heritages, so that the demo looks like
a real roll (and exercises matching: double-barrelled surnames, Mohammed and its spellings).
"""

GIRLS = [
    "Olivia", "Amelia", "Isla", "Ava", "Ivy", "Freya", "Lily", "Florence", "Mia", "Willow",
    "Rosie", "Sophia", "Isabella", "Grace", "Daisy", "Sienna", "Poppy", "Elsie", "Emily", "Ella",
    "Evelyn", "Phoebe", "Sofia", "Evie", "Charlotte", "Harper", "Millie", "Matilda", "Maya",
    "Sophie", "Alice", "Emilia", "Isabelle", "Ruby", "Luna", "Maisie", "Aria", "Penelope", "Mila",
    "Bonnie", "Eva", "Hallie", "Eliza", "Ada", "Violet", "Esme", "Arabella", "Imogen", "Jessica",
    "Delilah", "Chloe", "Layla", "Lottie", "Aisha", "Fatima", "Maryam", "Zainab", "Hafsa", "Khadija",
    "Amira", "Hana", "Inaya", "Zara", "Anaya", "Aaliyah", "Priya", "Anika", "Saanvi", "Diya",
    "Simran", "Harleen", "Gurleen", "Jasmine", "Precious", "Blessing", "Chidinma", "Adaeze",
    "Ifeoma", "Abena", "Ama", "Nia", "Kiara", "Tia", "Shanice", "Amara", "Zuzanna", "Julia",
    "Maja", "Zofia", "Oliwia", "Alicja", "Ioana", "Maria", "Elena", "Andreea", "Bianca",
    "Leila", "Yasmin", "Nadia", "Mei", "Lin", "Hoa", "Thu", "Chiara", "Giulia", "Ines", "Beatriz",
    "Aoife", "Niamh", "Siobhan", "Megan", "Cerys", "Ffion", "Eilidh", "Caitlin", "Tegan", "Kacey",
    "Summer", "Lacey", "Mollie", "Courtney", "Jade", "Shannon", "Keira", "Paige", "Lexi", "Skye",
]

BOYS = [
    "Muhammad", "Mohammed", "Mohammad", "Mohamed", "Noah", "Oliver", "George", "Leo", "Arthur",
    "Oscar", "Theodore", "Freddie", "Theo", "Archie", "Harry", "Henry", "Jack", "Alfie", "Charlie",
    "Finley", "Thomas", "Arlo", "Lucas", "William", "Jacob", "Isaac", "Hugo", "Albert", "Tommy",
    "Louie", "Reggie", "Edward", "Rory", "Jude", "Ezra", "Max", "Elijah", "Teddy", "Joshua", "Roman",
    "Ethan", "Harrison", "Oakley", "Mason", "Riley", "Ronnie", "Jaxon", "Jayden", "Kai", "Tyler",
    "Callum", "Kyle", "Liam", "Connor", "Dylan", "Ibrahim", "Yusuf", "Ali", "Omar", "Hamza",
    "Zayn", "Ayaan", "Adam", "Bilal", "Idris", "Ismail", "Musa", "Abdullah", "Arjun", "Aarav",
    "Rohan", "Vihaan", "Krish", "Harjot", "Gurpreet", "Jaskaran", "Tobi", "Chidi", "Emeka",
    "Oluwaseun", "David", "Daniel", "Samuel", "Kwame", "Kofi", "Kojo", "Malachi", "Tyrese",
    "Jerome", "Andre", "Jakub", "Szymon", "Filip", "Kacper", "Mateusz", "Antoni", "Andrei",
    "Luca", "Matei", "Darius", "Stefan", "Marco", "Luka", "Tiago", "Rafael", "Minh", "Duc",
    "Wei", "Jun", "Haruto", "Cian", "Oisin", "Sean", "Rhys", "Dafydd", "Owain", "Callan", "Kieran",
    "Mikey", "Lewis", "Bradley", "Jordan", "Levi", "Sonny", "Frankie", "Alfred", "Bobby",
]

# Short forms some children go by (a preferred name on the register).
PREFERRED = {
    "Alexander": "Alex", "William": "Will", "Thomas": "Tom", "Joshua": "Josh", "Samuel": "Sam",
    "Isabella": "Bella", "Elizabeth": "Libby", "Charlotte": "Lottie", "Theodore": "Teddy",
    "Oluwaseun": "Seun", "Gurpreet": "Preet", "Muhammad": "Mo", "Mohammed": "Mo",
    "Penelope": "Penny", "Florence": "Flo", "Matilda": "Tilly", "Jessica": "Jess", "Daniel": "Danny",
    "Jaskaran": "Jas", "Zuzanna": "Zuza", "Evelyn": "Evie", "Edward": "Ted", "Frederick": "Freddie",
}

SURNAMES = [
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes",
    "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin",
    "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison",
    "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis", "Parker", "Price", "Bennett",
    "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter", "Richardson", "Bailey", "Collins",
    "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards", "Khan", "Marshall", "Anderson", "Simpson",
    "Ellis", "Adams", "Singh", "Begum", "Wilkinson", "Foster", "Chapman", "Powell", "Webb",
    "Rogers", "Gray", "Mason", "Ali", "Hunt", "Hussain", "Campbell", "Matthews", "Owen", "Palmer",
    "Holmes", "Mills", "Barnes", "Knight", "Lloyd", "Butler", "Russell", "Barker", "Fisher",
    "Stevens", "Jenkins", "Murray", "Dixon", "Harvey", "Graham", "Pearson", "Ahmed", "Fletcher",
    "Walsh", "Kaur", "Gibson", "Howard", "Andrews", "Stewart", "Elliott", "Reynolds", "Saunders",
    "Payne", "Fox", "Ford", "Pearce", "Day", "Brooks", "West", "Lawrence", "Cole", "Atkinson",
    "Bradley", "Spencer", "Gill", "Dawson", "Ball", "Burton", "O'Brien", "Watts", "Rose", "Booth",
    "Perry", "Ryan", "Grant", "Wells", "Armstrong", "Francis", "Rees", "Hayes", "Hart", "Hudson",
    "Newman", "Barrett", "Webster", "Hunter", "Gregory", "Carr", "Lowe", "Page", "Marsh", "Riley",
    "Dunn", "Woods", "Parsons", "Berry", "Stone", "Reid", "Holland", "Hawkins", "Harding", "Porter",
    "Robertson", "Newton", "Oliver", "Reed", "Kennedy", "Williamson", "Bird", "Gardner", "Shah",
    "Dean", "Lane", "Cooke", "Bates", "Henderson", "Parry", "Burgess", "Bishop", "Walton",
    "Burns", "Nicholson", "Shepherd", "Ross", "Cross", "Long", "Freeman", "Warren", "Nicholls",
    "Hamilton", "Byrne", "Sutton", "McDonald", "Yates", "Hodgson", "Robson", "Curtis", "Hopkins",
    "O'Connor", "Harper", "Coleman", "Watkins", "Moss", "McCarthy", "Chambers", "O'Neill",
    "Griffin", "Sharp", "Hardy", "Wheeler", "Potter", "Osborne", "Johnston", "Gordon", "Doyle",
    "Wallace", "George", "Jordan", "Hutchinson", "Rahman", "Uddin", "Islam", "Miah", "Akhtar",
    "Iqbal", "Mahmood", "Malik", "Qureshi", "Chaudhry", "Sharma", "Kumar", "Mistry", "Desai",
    "Chauhan", "Sandhu", "Dhillon", "Sidhu", "Okafor", "Okonkwo", "Adeyemi", "Adebayo", "Oyelaran",
    "Mensah", "Boateng", "Asante", "Owusu", "Osei", "Mohamud", "Abdi", "Farah", "Warsame",
    "Kowalski", "Nowak", "Wiśniewska", "Lewandowski", "Wójcik", "Kamińska", "Popescu", "Ionescu",
    "Dumitru", "Stan", "Nguyen", "Tran", "Le", "Pham", "Chen", "Wang", "Li", "Zhang", "Wong",
    "Silva", "Santos", "Ferreira", "Rossi", "Costa", "Papadopoulos", "Demir", "Yilmaz", "Kaya",
    "Smyth", "Quinn", "Gallagher", "Doherty", "Kavanagh", "Boswell", "Lovell",
]

DOUBLE_BARRELLED = [
    "Smith-Okafor", "Hughes-Patel", "Ward-Mensah", "Clarke-Nowak", "Turner-Khan", "Lloyd-Jones",
    "Bennett-Ali", "Foster-Nguyen", "Walker-Boateng", "Harris-Singh", "Price-Davies", "Webb-Chen",
    "Owen-Hussain", "Baker-Santos", "Kelly-Adebayo", "Moss-Rahman", "Palmer-Costa", "Hart-Osei",
]

STREETS = [
    "Station Road", "Church Lane", "Mill Street", "Victoria Road", "Albert Street", "Park View",
    "Moor Lane", "Heather Close", "Bracken Way", "Ash Grove", "Beech Avenue", "Chapel Street",
    "Canal Side", "Kingsway", "Queens Road", "Oak Drive", "Willow Court", "Brook Street",
    "Grange Road", "Fell View", "Orchard Close", "Meadow Way", "Hollins Lane", "Tannery Row",
    "Weavers Court", "Foundry Street", "Cotton Lane", "Quarry Road", "Riverside", "Granary Walk",
    "Lark Rise", "Curlew Close", "Poplar Street", "Elm Terrace", "Cedar Gardens", "Lime Walk",
    "Rowan Crescent", "Sycamore Road", "Hawthorn Avenue", "Birch Lea", "Highfield Road",
    "Northgate", "Eastgate", "Southgate", "Market Street", "New Street", "High Street",
]

# Each fictional authority: its towns with a fictional postcode district (NM and ED are not
# real postcode areas), and the words its school names are made from.
PLACES = {
    "901": {
        "area": "NM",
        "towns": ["Northmoor", "Hebble Bridge", "Scarcliffe", "Moorend", "Thornley", "Ravensgill"],
        "school_words": [
            "Moorside", "Heatherfield", "Hebble Vale", "Thornley", "Scarcliffe", "Ravensgill",
            "Beacon Hill", "Fellgate", "Kirkby Rise", "Northmoor", "St Aidan's", "Holy Trinity",
            "Moorend", "Greystones", "Brackenhurst", "Oakwood", "Millbrook", "St Hilda's",
            "Castle Hill", "Wharfeside", "Pennine View", "Highmoor", "Larkfield", "Ashworth",
        ],
    },
    "907": {
        "area": "ED",
        "towns": ["Eastdale", "Saltburn Ness", "Corby Marsh", "Westerhope", "Fenwick", "Dunmere"],
        "school_words": [
            "Eastdale", "Riverside", "Saltmarsh", "Fenwick", "Dunmere", "Corby Marsh",
            "Westerhope", "Harbour View", "St Cuthbert's", "St Bede's", "Sandhills", "Linthorpe",
            "Seaview", "Marsh Lane", "Brambles", "Priory", "Willowbank", "Kingfisher",
            "Blue Coat", "Tees Valley", "Oakfield", "Greenbank", "Hartburn", "Newfield",
        ],
    },
}
